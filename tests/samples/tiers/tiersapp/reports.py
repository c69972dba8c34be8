"""Finance reports: revenue per plan, sales performance, CSV exports."""

import csv
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

from tiersapp.pricing import round_money


def revenue_by_plan(invoices, plan_of) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for invoice in invoices:
        if invoice.paid:
            totals[plan_of(invoice)] += invoice.amount
    return {plan: round_money(total) for plan, total in sorted(totals.items())}


def sales_performance(closed_by_rep: dict[str, list[Decimal]], target: Decimal) -> dict[str, Decimal]:
    """Share of the quarterly target each sales rep closed, in percent."""
    return {
        rep: round_money(sum(deals, Decimal("0")) * 100 / target)
        for rep, deals in closed_by_rep.items()
    }


def export_csv(rows: list[dict], directory, name: str | None = None) -> Path:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / (name or f"revenue-{date.today():%Y-%m-%d}.csv")
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path
