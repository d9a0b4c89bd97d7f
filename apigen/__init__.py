"""apigen: generate production-grade FastAPI and Flask API projects."""

__version__ = "0.1.0"
