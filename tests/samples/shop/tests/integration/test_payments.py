from decimal import Decimal
from unittest.mock import patch

import pytest

from shopapp.payments import (
    Charge,
    PaymentDeclined,
    PaymentGateway,
    PaymentProviderUnavailable,
)
from shopapp.orders import OrderService


@pytest.fixture
def approving_provider():
    """Stub the provider so that every charge is approved."""
    mocked = patch(
        "shopapp.payments.PaymentGateway.charge",
        return_value=Charge("ch_stub", Decimal("1.00"), "USD"),
    ).start()
    return mocked


def test_sandbox_charge_returns_charge_id(gateway):
    charge = gateway.charge(Decimal("12.00"), "USD", "tok_visa")
    assert charge.id.startswith("ch_")
    assert charge.amount == Decimal("12.00")


def test_declined_card_raises(gateway):
    with pytest.raises(PaymentDeclined) as excinfo:
        gateway.charge(Decimal("12.00"), "USD", "tok_declined")
    assert excinfo.value.reason == "card_declined"


def test_live_mode_is_disabled_in_tests():
    with pytest.raises(PaymentProviderUnavailable):
        PaymentGateway(mode="live").charge(Decimal("1.00"), "USD", "tok_visa")


def test_order_paid_through_stubbed_provider(approving_provider, db_session, customer_user, product_factory):
    service = OrderService(db_session, PaymentGateway())
    order = service.place_order(customer_user, [(product_factory(), 1)], token="tok_declined")
    assert order.charge_id == "ch_stub"
    approving_provider.assert_called_once()
