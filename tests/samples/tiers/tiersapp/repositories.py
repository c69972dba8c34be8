"""Repositories over a SQLAlchemy session. The session is always passed in."""

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tiersapp.models import Customer, Invoice, Plan, Subscription, SubscriptionStatus


class CustomerRepository:
    def __init__(self, session: Session):
        if session is None:
            raise ValueError("CustomerRepository needs a session")
        self.session = session

    def add(self, customer: Customer) -> Customer:
        self.session.add(customer)
        self.session.flush()
        return customer

    def get(self, customer_id: int) -> Customer | None:
        return self.session.get(Customer, customer_id)

    def by_email(self, email: str) -> Customer | None:
        stmt = select(Customer).where(func.lower(Customer.email) == email.lower())
        return self.session.scalars(stmt).first()

    def page(self, offset: int = 0, limit: int = 50) -> Sequence[Customer]:
        stmt = select(Customer).order_by(Customer.id).offset(offset).limit(limit)
        return self.session.scalars(stmt).all()

    def delete(self, customer: Customer) -> None:
        self.session.delete(customer)
        self.session.flush()


class PlanRepository:
    def __init__(self, session: Session):
        self.session = session

    def by_code(self, code: str) -> Plan | None:
        return self.session.scalars(select(Plan).where(Plan.code == code)).first()

    def all(self) -> Sequence[Plan]:
        return self.session.scalars(select(Plan).order_by(Plan.monthly_price)).all()


class SubscriptionRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, subscription: Subscription) -> Subscription:
        self.session.add(subscription)
        self.session.flush()
        return subscription

    def get(self, subscription_id: int) -> Subscription | None:
        return self.session.get(Subscription, subscription_id)

    def by_external_id(self, external_id: str) -> Subscription | None:
        stmt = select(Subscription).where(Subscription.external_id == external_id)
        return self.session.scalars(stmt).first()

    def active_for(self, customer_id: int) -> Sequence[Subscription]:
        stmt = select(Subscription).where(
            Subscription.customer_id == customer_id,
            Subscription.status.in_([SubscriptionStatus.TRIAL, SubscriptionStatus.ACTIVE]),
        )
        return self.session.scalars(stmt).all()

    def cancel(self, subscription: Subscription, reason: str | None = None) -> Subscription:
        subscription.status = SubscriptionStatus.CANCELLED
        subscription.cancelled_reason = reason
        self.session.flush()
        return subscription


class InvoiceRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, invoice: Invoice) -> Invoice:
        self.session.add(invoice)
        self.session.flush()
        return invoice

    def for_customer(self, customer_id: int) -> Sequence[Invoice]:
        stmt = select(Invoice).where(Invoice.customer_id == customer_id).order_by(Invoice.issued_on)
        return self.session.scalars(stmt).all()

    def unpaid(self) -> Sequence[Invoice]:
        return self.session.scalars(select(Invoice).where(Invoice.paid.is_(False))).all()
