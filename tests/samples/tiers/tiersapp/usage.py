"""Metered usage: per-day aggregation and an in-process meter flushed by a worker."""

import csv
from collections import defaultdict
from datetime import date
from pathlib import Path

from tiersapp.models import UsageRecord


def aggregate_by_day(records: list[UsageRecord]) -> dict[date, int]:
    totals: dict[date, int] = defaultdict(int)
    for record in records:
        totals[record.day] += record.units
    return dict(sorted(totals.items()))


class UsageMeter:
    def __init__(self):
        self._units: dict[int, int] = defaultdict(int)

    def record(self, customer_id: int, units: int = 1) -> None:
        if units < 0:
            raise ValueError("units must not be negative")
        self._units[customer_id] += units

    def total(self, customer_id: int) -> int:
        return self._units.get(customer_id, 0)

    def reset(self) -> dict[int, int]:
        flushed, self._units = dict(self._units), defaultdict(int)
        return flushed


def write_report(path: Path, totals: dict[int, int]) -> Path:
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["customer_id", "units"])
        for customer_id, units in sorted(totals.items()):
            writer.writerow([customer_id, units])
    return path
