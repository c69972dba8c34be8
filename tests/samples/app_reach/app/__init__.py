"""A small application whose I/O lives in its own classes, not in its tests."""

from app.main import create_app

__all__ = ["create_app"]
