"""Request and response schemas (pydantic only, no app)."""

from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError

from tests.utils.factories import build_invoice
from tiersapp.api.schemas import CustomerIn, InvoiceOut, SubscriptionIn


def test_subscription_in_rejects_unknown_plan():
    with pytest.raises(ValidationError, match="unknown plan"):
        SubscriptionIn(plan="platinum")


def test_subscription_in_defaults_to_trial():
    assert SubscriptionIn(plan="team").trial is True


def test_customer_in_strips_name_and_checks_email():
    body = CustomerIn(email="ops@acme.test", name="  Acme Ops  ")
    assert body.name == "Acme Ops"
    with pytest.raises(ValidationError):
        CustomerIn(email="not-an-email", name="x")


def test_invoice_out_from_orm_object():
    invoice = build_invoice("12.34", issued_on=date(2024, 2, 29))
    dumped = InvoiceOut.model_validate(invoice).model_dump(mode="json")
    assert dumped["issued_on"] == "2024-02-29"
    assert Decimal(dumped["amount"]) == Decimal("12.34")
