"""Engine and session factory used by the running service."""

from __future__ import annotations

from typing import Iterator

from shopapp.config import get_settings
from shopapp.db import Session, create_engine, sessionmaker

engine = create_engine(get_settings().database_url)
SessionLocal = sessionmaker(bind=engine, autoflush=False)


def get_db() -> Iterator[Session]:
    """FastAPI dependency: one session per request."""
    session = SessionLocal()
    try:
        yield session
    finally:
        session.close()
