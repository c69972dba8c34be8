"""API layer tests.

Handlers are plain functions (FastAPI only resolves ``Depends`` when it serves
a request), so most of the API can be tested by calling them directly.
"""

from decimal import Decimal
from unittest.mock import MagicMock

import pytest
from fastapi import HTTPException
from fastapi.testclient import TestClient  # noqa: F401  (for the endpoint tests still to come)

from tests.utils.factories import PlanFactory, build_customer, build_subscription
from tests.utils.fakes import InMemorySubscriptionRepository
from tiersapp.api.routes import cancel, health, paginate, parse_sort, subscribe
from tiersapp.api.schemas import PlanOut, SubscriptionIn
from tiersapp.services import UnknownPlan


def test_paginate_second_page():
    page = paginate(list(range(45)), page=2, size=20)
    assert page["items"][0] == 20
    assert len(page["items"]) == 20
    assert page["total"] == 45


def test_paginate_rejects_page_zero():
    with pytest.raises(HTTPException) as excinfo:
        paginate([], page=0)
    assert excinfo.value.status_code == 422


def test_parse_sort_descending_and_unknown_field():
    assert parse_sort("-created_at") == ("created_at", True)
    assert parse_sort("+email") == ("email", False)
    with pytest.raises(HTTPException, match="cannot sort by"):
        parse_sort("password_hash")


def test_health_handler():
    assert health() == {"status": "ok"}


def test_plan_out_serialises_price_as_string():
    plan = PlanFactory(code="pro", monthly_price=Decimal("29.5"))
    body = PlanOut.model_validate(plan).model_dump(mode="json")
    assert body["monthly_price"] == "29.50"
    assert set(body) == {"code", "name", "monthly_price", "unit_limit"}


def test_subscribe_handler_maps_unknown_plan_to_404():
    service = MagicMock()
    service.subscribe.side_effect = UnknownPlan("enterprise")
    with pytest.raises(HTTPException) as excinfo:
        subscribe(SubscriptionIn(plan="enterprise"), customer=build_customer(), service=service)
    assert excinfo.value.status_code == 404
    assert "enterprise" in excinfo.value.detail


def test_cancel_handler_refuses_foreign_subscription():
    repo = InMemorySubscriptionRepository()
    theirs = repo.add(build_subscription(customer=build_customer(id=1)))
    service = MagicMock(repo=repo)
    with pytest.raises(HTTPException, match="not found"):
        cancel(theirs.id, customer=build_customer(id=2), service=service)
    service.cancel.assert_not_called()
