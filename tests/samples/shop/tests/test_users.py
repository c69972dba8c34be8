from decimal import Decimal

import pytest

from shopapp.auth import verify_password
from shopapp.db import IntegrityError
from shopapp.models import Role
from shopapp.pricing import customer_discount
from tests.fixtures.users import DEFAULT_PASSWORD


@pytest.mark.parametrize(
    ("customer", "expected"),
    [("regular", Decimal("0")), ("vip", Decimal("10.00"))],
    indirect=["customer"],
)
def test_customer_discount(customer, expected):
    discount = customer_discount(customer.role.value)
    amount = discount.amount_for(Decimal("100")) if discount else Decimal("0")
    assert amount == expected


@pytest.mark.parametrize("customer", ["vip"], indirect=True)
def test_vip_role_is_stored(customer):
    assert customer.role is Role.VIP


def test_password_is_hashed(user_factory):
    user = user_factory()
    assert user.hashed_password != DEFAULT_PASSWORD
    assert verify_password(DEFAULT_PASSWORD, user.hashed_password)
    assert not verify_password("wrong", user.hashed_password)


def test_duplicate_email_is_rejected(user_factory):
    user_factory(email="dup@shop.example")
    with pytest.raises(IntegrityError):
        user_factory(email="dup@shop.example")


def test_admin_flag(admin_user, customer_user):
    assert admin_user.is_admin
    assert not customer_user.is_admin
