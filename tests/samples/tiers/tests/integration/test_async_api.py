"""The API through httpx.AsyncClient and ASGITransport."""

import asyncpg
import jwt
import pytest
import pytest_asyncio

from tests.utils.factories import build_invoice, build_subscription_row

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]


@pytest_asyncio.fixture
async def bearer(async_client, settings):
    """Sign up through the API and return (customer id, auth headers)."""
    created = await async_client.post("/customers", json={"email": "async@tiers.test", "name": "Async Co"})
    customer_id = created.json()["id"]
    token = jwt.encode({"sub": str(customer_id)}, settings.jwt_secret, algorithm="HS256")
    return customer_id, {"Authorization": f"Bearer {token}"}


async def test_list_invoices_for_customer(async_client, bearer, db_session):
    buyer_id, creds = bearer
    for amount in ("29.00", "29.00", "58.00"):
        db_session.add(build_invoice(amount, customer_id=buyer_id))
    db_session.flush()
    response = await async_client.get("/invoices", headers=creds)
    assert response.status_code == 200
    assert len(response.json()) == 3
    assert response.json()[0]["amount"] == "29.00"


async def test_list_subscriptions_for_customer(async_client, bearer, db_session):
    owner_id, auth = bearer
    for status in ("trial", "active", "active"):
        db_session.add(build_subscription_row(status, customer_id=owner_id))
    db_session.flush()
    listing = await async_client.get("/subscriptions", headers=auth)
    assert listing.status_code == 200
    assert len(listing.json()) == 3
    assert listing.json()[0]["status"] == "trial"


async def test_create_customer_twice_conflicts(async_client):
    payload = {"email": "taken@tiers.test", "name": "Taken Ltd"}
    first = await async_client.post("/customers", json=payload)
    second = await async_client.post("/customers", json=payload)
    assert first.status_code == 201
    assert second.status_code == 409


async def test_database_accepts_asyncpg_connections(settings):
    conn = await asyncpg.connect(settings.async_database_url)
    try:
        assert await conn.fetchval("SELECT 1") == 1
    finally:
        await conn.close()
