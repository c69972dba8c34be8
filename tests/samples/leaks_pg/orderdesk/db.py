"""Declarative base. Tables carry no schema: the engine maps them to one."""

from __future__ import annotations

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


def make_engine(url: str, schema: str) -> Engine:
    """An engine whose unqualified tables live in ``schema``."""
    engine = create_engine(url, connect_args={"connect_timeout": 3})
    return engine.execution_options(schema_translate_map={None: schema})
