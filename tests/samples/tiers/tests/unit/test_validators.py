"""Validators used by the API schemas."""

import pytest

from tiersapp.validators import (
    ValidationError,
    is_valid_email,
    normalize_email,
    validate_coupon_code,
    validate_vat_id,
)


@pytest.mark.parametrize("address", ["ann@example.com", "a.b+tag@sub.example.co.uk", "x_y@tiers.io"])
def test_valid_email(address):
    assert is_valid_email(address)


@pytest.mark.parametrize("address", ["", "no-at-sign", "two@@example.com", "trailing@dot."])
def test_invalid_email_rejected(address):
    assert not is_valid_email(address)


def test_normalize_email_lowercases_domain_only():
    normalized = normalize_email("  Ann.Lee@Example.COM ")
    local, domain = normalized.split("@")
    assert local == "Ann.Lee"
    assert domain == "example.com"


def test_vat_id_de():
    vat_id = "DE 136 695 976"
    assert validate_vat_id(vat_id) is True
    assert validate_vat_id(vat_id.lower()) is True


def test_vat_id_fr():
    vat_id = "FR XX 999 999 999"
    assert validate_vat_id(vat_id) is True
    assert validate_vat_id(vat_id.lower()) is True


def test_vat_id_nl():
    vat_id = "NL 123456789 B01"
    assert validate_vat_id(vat_id) is True
    assert validate_vat_id(vat_id.lower()) is True


def test_vat_id_unknown_country_rejected():
    assert validate_vat_id("XX123") is False


def test_coupon_code_uppercase_only():
    assert validate_coupon_code("WELCOME10") == "WELCOME10"
    with pytest.raises(ValidationError):
        validate_coupon_code("welcome10")
    with pytest.raises(ValidationError):
        validate_coupon_code("W10")


def test_coupon_rejects_lowercase():
    """Regression for TIERS-412: lowercase codes slipped through."""
    assert validate_coupon_code("WELCOME10") == "WELCOME10"
    with pytest.raises(ValidationError):  # lowercase
        validate_coupon_code("welcome10")
    with pytest.raises(ValidationError):  # too short
        validate_coupon_code("W10")
