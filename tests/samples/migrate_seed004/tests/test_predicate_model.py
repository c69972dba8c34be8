"""predicate model (unit)."""

from medapp.models import PredicateDevice


def test_predicate_fields():
    device = PredicateDevice(k_number="K123456", device_name="Pump", confidence=0.7)
    assert device.confidence == 0.7
