"""The HTTP API through the TestClient, with PostgreSQL behind it."""

import jwt
import pytest

from tests.helpers.db import seed_plans
from tests.utils.factories import create_customer, create_subscription
from tiersapp.models import Customer


@pytest.fixture
def auth_headers(db_session, settings):
    customer = create_customer(db_session, email="owner@acme.test")
    token = jwt.encode({"sub": str(customer.id), "scope": "billing"}, settings.jwt_secret, algorithm="HS256")
    return {"Authorization": f"Bearer {token}", "X-Customer-Id": str(customer.id)}


def test_list_plans_returns_catalog(client, db_session):
    seed_plans(db_session)
    response = client.get("/plans")
    assert response.status_code == 200
    codes = [plan["code"] for plan in response.json()]
    assert codes == ["free", "pro", "enterprise"]
    assert response.json()[1]["monthly_price"] == "29.00"


def test_subscribe_creates_trial(client, auth_headers, plans_in_db):
    created = client.post("/subscriptions", json={"plan": "pro"}, headers=auth_headers).json()
    listed = client.get("/subscriptions", headers=auth_headers).json()
    assert created["status"] == "trial"
    assert [s["external_id"] for s in listed] == [created["external_id"]]


def test_subscriptions_require_a_bearer_token(client):
    for headers in ({}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer not-a-jwt"}):
        response = client.get("/subscriptions", headers=headers)
        assert response.status_code in (401, 422)


def test_cancel_own_subscription(client, auth_headers, db_session, plans_in_db):
    customer = db_session.get(Customer, int(auth_headers["X-Customer-Id"]))
    subscription = create_subscription(db_session, customer, plans_in_db["pro"])
    response = client.post(
        f"/subscriptions/{subscription.id}/cancel", params={"reason": "moving"}, headers=auth_headers
    )
    assert response.json()["status"] == "cancelled"
    db_session.refresh(subscription)
    assert subscription.cancelled_reason == "moving"


def test_health(client):
    assert client.get("/health").json() == {"status": "ok"}
