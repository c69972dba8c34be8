"""/plans endpoints."""

import jwt
import pytest

from tests.helpers.db import seed_plans
from tests.utils.factories import create_customer


@pytest.fixture
def auth_headers(db_session, settings):
    customer = create_customer(db_session, email="owner@acme.test")
    token = jwt.encode({"sub": str(customer.id), "scope": "billing"}, settings.jwt_secret, algorithm="HS256")
    return {"Authorization": f"Bearer {token}", "X-Customer-Id": str(customer.id)}


def test_get_plans_lists_all(client, db_session):
    """The catalog comes back cheapest first."""
    seed_plans(db_session)
    response = client.get(
        "/plans",
    )
    assert response.status_code == 200
    codes = [plan["code"] for plan in response.json()]
    assert codes == ["free", "pro", "enterprise"]
    assert response.json()[1]["monthly_price"] == "29.00"


def test_get_plan_free(client, seeded_catalog):
    response = client.get("/plans/free")
    assert response.status_code == 200
    assert response.json()["code"] == "free"


def test_get_plan_pro(client, seeded_catalog):
    response = client.get("/plans/pro")
    assert response.status_code == 200
    assert response.json()["code"] == "pro"


def test_get_plan_enterprise(client, seeded_catalog):
    response = client.get("/plans/enterprise")
    assert response.status_code == 200
    assert response.json()["code"] == "enterprise"


def test_unknown_plan_is_404(client, seeded_catalog):
    assert client.get("/plans/platinum").status_code == 404


def test_plans_carry_a_weak_etag(client, seeded_catalog, auth_headers):
    etag = client.get("/plans", headers=auth_headers).headers["ETag"]
    assert etag.startswith('W/"plans-')
    assert etag.endswith('3"')
