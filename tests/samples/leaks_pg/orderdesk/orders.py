from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from orderdesk.models import Order


class OrderService:
    def __init__(self, session: Session) -> None:
        self.session = session

    def checkout(self, customer_email: str, prices: list[Decimal]) -> Order:
        order = Order(customer_email=customer_email, total=sum(prices, Decimal("0")))
        self.session.add(order)
        # The unit of work ends here in production. In a test whose session is meant
        # to roll back, this commit makes the order permanent.
        self.session.commit()
        return order


def sales_total(session: Session) -> Decimal:
    total = session.scalar(select(func.coalesce(func.sum(Order.total), 0)))
    return Decimal(total)
