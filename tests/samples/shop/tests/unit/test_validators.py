import pytest

from shopapp.validators import (
    MAX_QUANTITY,
    ValidationError,
    validate_email,
    validate_quantity,
    validate_sku,
)


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("alice@shop.example", "alice@shop.example"),
        ("  Bob@Shop.Example ", "bob@shop.example"),
        ("c.d+orders@mail.co.uk", "c.d+orders@mail.co.uk"),
    ],
)
def test_valid_emails(raw, normalized):
    assert validate_email(raw) == normalized


@pytest.mark.parametrize("raw", ["", "no-at-sign", "two@@shop.example", "x@y"])
def test_invalid_emails(raw):
    with pytest.raises(ValidationError) as excinfo:
        validate_email(raw)
    assert excinfo.value.field == "email"


def test_valid_sku():
    assert validate_sku("MUG-0001") == "MUG-0001"


def test_lowercase_sku_is_rejected():
    with pytest.raises(ValidationError, match="sku"):
        validate_sku("mug-0001")


@pytest.mark.parametrize("quantity", [0, -3, MAX_QUANTITY + 1, True])
def test_quantity_out_of_range(quantity):
    with pytest.raises(ValidationError):
        validate_quantity(quantity)
