"""SQLAlchemy base, engine factory and the request-scoped session dependency."""

from collections.abc import Iterator

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from tiersapp.config import get_settings


class Base(DeclarativeBase):
    pass


def make_engine(url: str | None = None, **kwargs) -> Engine:
    return create_engine(url or get_settings().database_url, pool_pre_ping=True, **kwargs)


SessionLocal = sessionmaker(autoflush=False, expire_on_commit=False)


def get_db() -> Iterator[Session]:
    session = SessionLocal(bind=make_engine())
    try:
        yield session
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()
