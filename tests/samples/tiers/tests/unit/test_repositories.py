"""Repository behaviour. The in-memory repository is the contract the SQL one must follow."""

from unittest.mock import MagicMock

import psycopg
import pytest

from tests.helpers.db import TEST_DATABASE_URL
from tests.utils.factories import PlanFactory, build_customer, build_subscription, create_customer, create_subscription
from tiersapp.models import SubscriptionStatus
from tiersapp.repositories import CustomerRepository, SubscriptionRepository


def test_in_memory_repo_assigns_ids(fake_repo):
    first = fake_repo.add(build_subscription())
    second = fake_repo.add(build_subscription())
    assert (first.id, second.id) == (1, 2)
    assert fake_repo.get(2) is second


def test_in_memory_repo_hides_cancelled(fake_repo):
    customer = build_customer()
    kept = fake_repo.add(build_subscription(customer=customer))
    dropped = fake_repo.add(build_subscription(customer=customer))
    fake_repo.cancel(dropped, reason="too expensive")
    assert fake_repo.active_for(customer.id) == [kept]


def test_repository_requires_a_session():
    with pytest.raises(ValueError, match="needs a session"):
        CustomerRepository(None)


def test_by_email_lowercases_the_query():
    session = MagicMock()
    session.scalars.return_value.first.return_value = "sentinel"
    assert CustomerRepository(session).by_email("Ann@Example.com") == "sentinel"
    statement = session.scalars.call_args.args[0]
    assert "lower" in str(statement).lower()


@pytest.mark.unit
def test_schema_version_is_current():
    with psycopg.connect(TEST_DATABASE_URL.replace("+psycopg", "")) as conn:
        version = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    assert version == "7c1e2f0a9b3d"


def test_active_for_uses_status_filter(db_session):
    plan = PlanFactory(code="solo")
    customer = create_customer(db_session, email="solo@example.test")
    create_subscription(db_session, customer, plan)
    create_subscription(db_session, customer, plan, status=SubscriptionStatus.CANCELLED)
    active = SubscriptionRepository(db_session).active_for(customer.id)
    assert [s.status for s in active] == [SubscriptionStatus.TRIAL]
