"""device catalog (unit)."""

import json
from pathlib import Path

DATA = Path(__file__).parent / "data"


def test_catalog_has_two_devices():
    devices = json.loads((DATA / "devices.json").read_text())
    assert len(devices) == 2


def test_catalog_k_numbers():
    devices = json.loads((DATA / "devices.json").read_text())
    assert {d["k_number"] for d in devices} == {"K123456", "K654321"}
