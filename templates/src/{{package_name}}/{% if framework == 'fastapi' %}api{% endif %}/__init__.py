"""The HTTP layer: the FastAPI application, its routers, middleware and error handlers."""
