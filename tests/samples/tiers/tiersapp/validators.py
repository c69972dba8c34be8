"""Input validation shared by the API schemas and the admin scripts."""

import re

EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
COUPON_RE = re.compile(r"^[A-Z0-9]{4,16}$")
VAT_PATTERNS = {
    "DE": re.compile(r"^DE\d{9}$"),
    "FR": re.compile(r"^FR[0-9A-Z]{2}\d{9}$"),
    "NL": re.compile(r"^NL\d{9}B\d{2}$"),
    "AT": re.compile(r"^ATU\d{8}$"),
}


class ValidationError(ValueError):
    pass


def is_valid_email(value: str) -> bool:
    return bool(EMAIL_RE.match(value or ""))


def normalize_email(value: str) -> str:
    local, _, domain = value.strip().rpartition("@")
    if not local or not domain:
        raise ValidationError(f"not an email address: {value!r}")
    return f"{local}@{domain.lower()}"


def validate_vat_id(value: str) -> bool:
    compact = value.replace(" ", "").upper()
    pattern = VAT_PATTERNS.get(compact[:2])
    return bool(pattern and pattern.match(compact))


def validate_coupon_code(code: str) -> str:
    if not COUPON_RE.match(code):
        raise ValidationError(f"invalid coupon code: {code!r}")
    return code
