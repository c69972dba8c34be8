"""Pure helpers."""

import re

K_NUMBER = re.compile(r"^K\d{6}$")


def slugify(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def is_k_number(value):
    return bool(K_NUMBER.match(value))


def confidence_bucket(score):
    if not 0.0 <= score <= 1.0:
        raise ValueError(f"confidence out of range: {score}")
    if score >= 0.8:
        return "high"
    if score >= 0.5:
        return "medium"
    return "low"


def chunked(items, size):
    return [items[i : i + size] for i in range(0, len(items), size)]
