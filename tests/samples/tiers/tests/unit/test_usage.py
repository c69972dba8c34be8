"""Usage metering."""

import time
import unittest
from datetime import date

import pytest

from tests.utils.factories import usage_log
from tiersapp.models import UsageRecord
from tiersapp.pricing import tier_for_usage
from tiersapp.usage import UsageMeter, aggregate_by_day, write_report


def test_aggregate_usage_by_day():
    records = usage_log(customer_id=1, days=2, units_per_day=100)
    records.append(UsageRecord(customer_id=1, day=date(2024, 1, 1), units=5))
    totals = aggregate_by_day(records)
    assert list(totals) == [date(2024, 1, 1), date(2024, 1, 2)]
    assert totals[date(2024, 1, 1)] == 105
    assert sum(totals.values()) == 205


@pytest.mark.parametrize(
    ("units", "tier"), [(0, "free"), (1_000, "free"), (1_001, "pro"), (2_000_000, "enterprise")]
)
def test_tier_for_monthly_units(units, tier):
    assert tier_for_usage(units) == tier


class TestUsageMeter(unittest.TestCase):
    def setUp(self):
        self.meter = UsageMeter()

    def test_record_accumulates(self):
        self.meter.record(7, 3)
        self.meter.record(7)
        self.assertEqual(self.meter.total(7), 4)
        self.assertEqual(self.meter.total(8), 0)

    def test_reset_returns_and_clears(self):
        for customer_id in (1, 1, 2):
            self.meter.record(customer_id, 10)
        self.assertEqual(self.meter.reset(), {1: 20, 2: 10})
        self.assertEqual(self.meter.total(1), 0)

    def test_negative_units_rejected(self):
        with self.assertRaises(ValueError):
            self.meter.record(1, -5)


def test_meter_handles_a_busy_minute():
    meter = UsageMeter()
    started = time.perf_counter()
    for i in range(60_000):
        meter.record(i % 500)
    elapsed = time.perf_counter() - started
    assert meter.total(0) == 120
    assert elapsed < 0.25, f"recording 60k events took {elapsed:.3f}s"


def test_usage_report_csv(tmp_path):
    path = write_report(tmp_path / "usage.csv", {2: 40, 1: 15})
    lines = path.read_text().splitlines()
    assert lines == ["customer_id,units", "1,15", "2,40"]
