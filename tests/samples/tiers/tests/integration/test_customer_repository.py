"""CustomerRepository against PostgreSQL."""

import time

import pytest
from sqlalchemy import func, select

from tests.utils.factories import build_customer, create_customer, usage_log
from tiersapp.models import UsageRecord


def test_by_email_is_case_insensitive(customer_repo, db_session):
    create_customer(db_session, email="Billing@Acme.test")
    assert customer_repo.by_email("billing@acme.TEST").email == "Billing@Acme.test"


def test_page_is_ordered_by_id(customer_repo, db_session):
    ids = [create_customer(db_session).id for _ in range(5)]
    page = customer_repo.page(offset=2, limit=2)
    assert [c.id for c in page] == ids[2:4]


def test_delete_cascades_to_usage(customer_repo, db_session):
    customer = create_customer(db_session)
    db_session.add_all(usage_log(customer.id, days=4, units_per_day=50))
    db_session.flush()
    customer_repo.delete(customer)
    remaining = db_session.scalar(select(func.count()).select_from(UsageRecord))
    assert remaining == 0


@pytest.mark.slow
def test_paging_through_ten_thousand_customers(customer_repo, db_session):
    db_session.add_all(build_customer(id=None, email=f"c{n}@x.test", slug=f"c-{n}") for n in range(10_000))
    db_session.flush()
    started = time.time()
    seen = sum(len(customer_repo.page(offset, 500)) for offset in range(0, 10_000, 500))
    assert seen == 10_000
    assert time.time() - started < 5
