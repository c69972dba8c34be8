"""Latency budgets for the hottest queries and computations."""

import pytest

from tests.helpers.timing import measure, p95
from tests.utils.factories import create_customer, create_invoice
from tiersapp.models import Invoice
from tiersapp.pricing import tax_for
from tiersapp.repositories import CustomerRepository, InvoiceRepository
from tiersapp.usage import aggregate_by_day


def test_customer_lookup_p95_under_5ms(db_session):
    customers = [create_customer(db_session) for _ in range(200)]
    repo = CustomerRepository(db_session)
    target = customers[-1].email
    samples = measure(repo.by_email, target, repeat=200)
    assert len(samples) == 200
    assert p95(samples) < 0.005, f"p95 {p95(samples) * 1000:.1f} ms"


def test_invoice_listing_p95_under_20ms(db_session):
    invoices = [create_invoice(db_session) for _ in range(500)]
    invoice_repo = InvoiceRepository(db_session)
    owner = invoices[-1].customer_id
    timings = measure(invoice_repo.for_customer, owner, repeat=100)
    assert len(timings) == 100
    assert p95(timings) < 0.02, f"p95 {p95(timings) * 1000:.1f} ms"


def test_vat_table_build_time():
    samples = measure(lambda: {c: tax_for(c, 100) for c in ("DE", "FR", "NL", "AT", "US")}, repeat=500)
    assert max(samples) < 0.002


def test_monthly_usage_rollup_budget(stopwatch, big_usage_log):
    for _ in range(20):
        with stopwatch:
            totals = aggregate_by_day(big_usage_log)
    assert len(totals) == 365
    assert max(stopwatch.laps) < 0.05


@pytest.mark.performance
def test_invoice_numbering_smoke():
    numbers = {Invoice.format_number(2024, n) for n in range(1, 10_001)}
    assert len(numbers) == 10_000
