"""Checkout: the price preview and the subscribe call through the API."""

import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import jwt
import pytest

from tests.helpers.db import seed_plans
from tests.utils.factories import create_customer
from tiersapp.checkout import compute_checkout_total


@pytest.fixture
def auth_headers(db_session, settings):
    customer = create_customer(db_session, email="owner@acme.test")
    token = jwt.encode({"sub": str(customer.id), "scope": "billing"}, settings.jwt_secret, algorithm="HS256")
    return {"Authorization": f"Bearer {token}", "X-Customer-Id": str(customer.id)}


@pytest.fixture
def catalog(db_session):
    return seed_plans(db_session)


def test_checkout_happy_path(client, auth_headers, catalog, fake_gateway):
    payload = {"plan": "pro", "trial": False}
    response = client.post("/subscriptions", json=payload, headers=auth_headers)
    assert response.status_code == 201
    assert response.json()["status"] == "active"
    assert fake_gateway.charges[0][0] == Decimal("29.00")


def test_checkout_with_coupon(client, auth_headers, catalog, fake_gateway):
    payload = {"plan": "pro", "trial": False}
    payload["coupon"] = "WELCOME10"
    response = client.post("/subscriptions", json=payload, headers=auth_headers)
    assert response.status_code == 201
    assert response.json()["status"] == "active"
    assert fake_gateway.charges[0][0] == Decimal("26.10")


def test_trial_checkout_charges_nothing(client, auth_headers, catalog, fake_gateway):
    response = client.post("/subscriptions", json={"plan": "enterprise"}, headers=auth_headers)
    body = response.json()
    assert body["started_on"] is not None
    assert body["status"] == "trial"
    assert not fake_gateway.charges


@pytest.mark.parametrize("country, gross", [("DE", "34.51"), ("NL", "35.09"), ("US", "29.00")])
def test_checkout_preview_gross(country, gross):
    preview = compute_checkout_total(Decimal("29.00"), country)
    assert preview["gross"] == Decimal(gross)
    assert preview["net"] + preview["tax"] == preview["gross"]


def test_checkout_preview_under_parallel_load():
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=16) as pool:
        futures = [pool.submit(compute_checkout_total, Decimal("29.00"), "DE", "WELCOME10") for _ in range(500)]
        totals = {future.result()["gross"] for future in futures}
    assert totals == {Decimal("31.06")}
    assert time.perf_counter() - started < 2.0
