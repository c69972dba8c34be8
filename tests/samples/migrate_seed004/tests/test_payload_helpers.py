"""payload helpers (unit)."""

from tests.test_helpers import project_payload


def test_payload_defaults():
    assert project_payload()["name"] == "Pulse Oximeter"


def test_payload_owner():
    assert project_payload(owner="x@example.com")["owner"] == "x@example.com"
