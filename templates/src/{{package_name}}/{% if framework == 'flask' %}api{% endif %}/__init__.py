"""The HTTP layer: a Flask application factory, its blueprints and request hooks."""
