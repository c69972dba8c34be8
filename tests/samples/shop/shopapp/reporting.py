"""Sales reports, computed in a background thread like the real worker does."""

from __future__ import annotations

import threading
from collections import defaultdict
from datetime import date
from decimal import Decimal

from shopapp.db import Session
from shopapp.models import Order, OrderStatus, Product

COUNTED = {OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED}


def daily_sales(session: Session) -> dict[date, Decimal]:
    totals: dict[date, Decimal] = defaultdict(Decimal)
    for order in session.query(Order):
        if order.status in COUNTED:
            totals[order.created_at.date()] += order.total
    return dict(totals)


def best_sellers(session: Session, limit: int = 3) -> list[tuple[str, int]]:
    sold: dict[int, int] = defaultdict(int)
    for order in session.query(Order):
        if order.status in COUNTED:
            for line in order.lines:
                sold[line.product_id] += line.quantity
    ranked = sorted(sold.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return [(session.get(Product, pid).sku, qty) for pid, qty in ranked]


class ReportJob:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.result: dict[date, Decimal] | None = None
        self.done = False
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        self.result = daily_sales(self.session)
        self.done = True

    def start(self) -> "ReportJob":
        self._thread.start()
        return self
