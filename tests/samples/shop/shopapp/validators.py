"""Input validation shared by the API and the services."""

from __future__ import annotations

import re

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
SKU_RE = re.compile(r"^[A-Z]{3}-\d{4}$")
MAX_QUANTITY = 999


class ValidationError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def validate_email(email: str) -> str:
    email = email.strip().lower()
    if not EMAIL_RE.match(email):
        raise ValidationError("email", "not a valid address")
    return email


def validate_sku(sku: str) -> str:
    if not SKU_RE.match(sku):
        raise ValidationError("sku", "expected three letters, a dash and four digits")
    return sku


def validate_quantity(quantity: int) -> int:
    if not isinstance(quantity, int) or isinstance(quantity, bool):
        raise ValidationError("quantity", "must be an integer")
    if not 1 <= quantity <= MAX_QUANTITY:
        raise ValidationError("quantity", f"must be between 1 and {MAX_QUANTITY}")
    return quantity
