"""Database helpers for tests that need real rows.

``make_user`` and ``count_rows`` open their own session on the shared test
database when no session is passed, so they work from any test, with or
without the ``db_session`` fixture.
"""

import os

from sqlalchemy import create_engine, delete, func, select
from sqlalchemy.orm import Session

from tiersapp.db import Base
from tiersapp.models import Customer, Plan
from tiersapp.text import slugify

TEST_DATABASE_URL = os.environ.get(
    "TIERS_TEST_DATABASE_URL", "postgresql+psycopg://tiers:tiers@localhost:5433/tiers_test"
)

_engine = None


def get_engine():
    global _engine
    if _engine is None:
        _engine = create_engine(TEST_DATABASE_URL, future=True)
        Base.metadata.create_all(_engine)
    return _engine


def new_session() -> Session:
    return Session(get_engine(), expire_on_commit=False)


def make_user(name: str, email: str | None = None, session: Session | None = None) -> Customer:
    """Insert a customer with a unique slug and commit it."""
    session = session or new_session()
    slug = slugify(name)
    taken = session.scalar(select(func.count()).select_from(Customer).where(Customer.slug.like(f"{slug}%")))
    if taken:
        slug = f"{slug}-{taken + 1}"
    customer = Customer(name=name, email=email or f"{slug}@example.test", slug=slug)
    session.add(customer)
    session.commit()
    return customer


def count_rows(model, session: Session | None = None) -> int:
    session = session or new_session()
    return session.scalar(select(func.count()).select_from(model))


def seed_plans(session: Session) -> list[Plan]:
    plans = [
        Plan(code="free", name="Free", monthly_price=0, unit_limit=1_000),
        Plan(code="pro", name="Pro", monthly_price=29, seats=5, unit_limit=50_000),
        Plan(code="enterprise", name="Enterprise", monthly_price=499, seats=100, unit_limit=1_000_000),
    ]
    session.add_all(plans)
    session.flush()
    return plans


def truncate_all(session: Session) -> None:
    for table in reversed(Base.metadata.sorted_tables):
        session.execute(delete(table))
    session.flush()
