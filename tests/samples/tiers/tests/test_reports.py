"""Finance reports."""

import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from tests.utils.factories import build_invoice, usage_log
from tiersapp.models import UsageRecord
from tiersapp.reports import export_csv, revenue_by_plan, sales_performance
from tiersapp.usage import aggregate_by_day

EXPORT_DIR = Path("/var/tmp/tiers/exports")


def test_revenue_counts_only_paid_invoices():
    invoices = [
        build_invoice("29.00", subscription_id=1),
        build_invoice("29.00", paid=False, subscription_id=1),
        build_invoice("99.00", subscription_id=2),
    ]
    plan_of = {1: "pro", 2: "team"}
    totals = revenue_by_plan(invoices, lambda invoice: plan_of[invoice.subscription_id])
    assert totals == {"pro": Decimal("29.00"), "team": Decimal("99.00")}


def test_sales_performance_summary():
    closed = {"maria": [Decimal("12000"), Decimal("8000")], "tom": [Decimal("5000")]}
    performance = sales_performance(closed, target=Decimal("40000"))
    assert performance["maria"] == Decimal("50.00")
    assert performance["tom"] == Decimal("12.50")


def test_export_csv_writes_header(tmp_path):
    path = export_csv([{"plan": "pro", "revenue": "29.00"}], tmp_path, name="r.csv")
    assert path.parent == tmp_path
    assert path.read_text().splitlines()[0] == "plan,revenue"


def test_export_lands_in_shared_export_dir():
    rows = [{"plan": "team", "revenue": "99.00"}, {"plan": "pro", "revenue": "58.00"}]
    path = export_csv(rows, EXPORT_DIR)
    with open(path) as handle:
        lines = handle.readlines()
    assert path.parent == EXPORT_DIR
    assert len(lines) == 3
    path.unlink()


def test_daily_usage_rollup():
    records = usage_log(customer_id=1, days=2, units_per_day=100)
    records.append(UsageRecord(customer_id=1, day=date(2024, 1, 1), units=5))

    totals = aggregate_by_day(records)

    assert list(totals) == [date(2024, 1, 1), date(2024, 1, 2)]
    assert totals[date(2024, 1, 1)] == 105  # 100 from the log + 5 late events
    assert sum(totals.values()) == 205


def test_revenue_report_scales_to_a_year_of_invoices():
    invoices = [build_invoice("29.00", subscription_id=n % 3) for n in range(100_000)]
    started = time.perf_counter()
    totals = revenue_by_plan(invoices, lambda invoice: ("free", "pro", "team")[invoice.subscription_id])
    duration = time.perf_counter() - started
    assert sum(totals.values()) == Decimal("2900000.00")
    assert duration < 1.0
