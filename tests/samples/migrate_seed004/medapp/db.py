"""Engine and session helpers."""

from sqlalchemy import create_engine
from sqlalchemy.orm import DeclarativeBase, Session


class Base(DeclarativeBase):
    pass


def make_engine(url):
    return create_engine(url, future=True)


def session_for(connection):
    return Session(bind=connection, join_transaction_mode="create_savepoint")
