"""shopapp: a small order-management service.

This package is a stand-in for a FastAPI + SQLAlchemy back end. The classes keep
the names and call shapes of the real libraries (create_engine, Session,
sessionmaker, Base.metadata.create_all, TestClient, Depends,
app.dependency_overrides) so that the test suite reads like the real one.
"""

__version__ = "1.4.0"
