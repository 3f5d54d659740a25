"""app/: app2, the FastAPI search service and its pages."""
