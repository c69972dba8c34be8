"""Customer signup."""

import pytest
from sqlalchemy.exc import IntegrityError

from tests.helpers.timing import Stopwatch
from tests.utils.factories import build_customer, create_customer
from tiersapp.repositories import CustomerRepository
from tiersapp.validators import normalize_email


class TestCustomerSignup:
    def test_signup_persists_customer(self, db_session):
        created = create_customer(db_session, email="new@tiers.test", name="New Co")
        found = CustomerRepository(db_session).by_email("NEW@tiers.test")
        assert found is not None
        assert found.id == created.id

    def test_duplicate_email_violates_constraint(self, db_session):
        repo = CustomerRepository(db_session)
        repo.add(build_customer(id=None, email="dup@tiers.test", slug="dup-1"))
        with pytest.raises(IntegrityError, match="customers_email_key"):
            repo.add(build_customer(id=None, email="dup@tiers.test", slug="dup-2"))
        db_session.rollback()

    def test_email_is_normalised_before_signup(self):
        customer = build_customer(email=normalize_email("Ops@ACME.Test"))
        assert customer.email == "Ops@acme.test"


def test_display_name_shows_email():
    customer = build_customer(name="Acme", email="ops@acme.test")
    assert customer.display_name == "Acme <ops@acme.test>"


async def test_signup_conflict_over_http(async_client):
    payload = {"email": "taken@tiers.test", "name": "Taken Ltd"}
    first = await async_client.post("/customers", json=payload)
    second = await async_client.post("/customers", json=payload)
    assert first.status_code == 201
    assert second.status_code == 409


def test_bulk_import_of_customers_is_fast(db_session):
    with Stopwatch() as watch:
        for n in range(1_000):
            create_customer(db_session, email=f"bulk{n}@tiers.test")
    assert watch.total < 3.0
