"""Use cases: subscribe, cancel, upgrade, renew, and the monthly billing run."""

import json
import uuid
from datetime import date, timedelta
from decimal import Decimal

from tiersapp import pricing
from tiersapp.models import Customer, Invoice, Subscription, SubscriptionStatus
from tiersapp.validators import validate_coupon_code

COUPONS = {"WELCOME10": 10, "LAUNCH25": 25, "PARTNER50": 50}


class SystemClock:
    def today(self) -> date:
        return date.today()


class UnknownPlan(LookupError):
    pass


class SubscriptionService:
    def __init__(self, repo, gateway, plans, clock=None, cache=None, trial_days: int = 14):
        self.repo = repo
        self.gateway = gateway
        self.plans = plans
        self.clock = clock or SystemClock()
        self.cache = cache
        self.trial_days = trial_days

    def _plan(self, code: str):
        if self.cache is not None:
            cached = self.cache.get(f"plan:{code}")
            if cached is not None and code in self.plans:
                return self.plans[json.loads(cached)["code"]]
        try:
            return self.plans[code]
        except KeyError:
            raise UnknownPlan(code) from None

    def subscribe(self, customer: Customer, plan_code: str, trial: bool = True) -> Subscription:
        plan = self._plan(plan_code)
        subscription = Subscription(
            customer=customer,
            plan=plan,
            external_id=f"sub_{uuid.uuid4().hex[:12]}",
            started_on=self.clock.today() + timedelta(days=self.trial_days if trial else 0),
        )
        if not trial:
            self.gateway.charge(plan.monthly_price, "EUR", token=f"cus_{customer.id}")
            subscription.status = SubscriptionStatus.ACTIVE
        return self.repo.add(subscription)

    def cancel(self, subscription: Subscription, reason: str | None = None) -> Subscription:
        if subscription.status is SubscriptionStatus.CANCELLED:
            return subscription
        return self.repo.cancel(subscription, reason)

    def upgrade(self, subscription: Subscription, new_plan_code: str, days_left: int = 15) -> Decimal:
        new_plan = self._plan(new_plan_code)
        delta = pricing.proration_delta(subscription.plan.monthly_price, new_plan.monthly_price, days_left, 30)
        subscription.plan = new_plan
        if delta > 0:
            self.gateway.charge(delta, "EUR", token=f"cus_{subscription.customer_id}")
        return delta

    async def renew(self, subscription: Subscription, mailer) -> Subscription:
        subscription.status = SubscriptionStatus.ACTIVE
        await mailer.send(
            to=subscription.customer.email,
            subject="Your Tiers subscription was renewed",
            body=f"Plan {subscription.plan.name}, {subscription.plan.monthly_price} EUR",
        )
        return subscription


class BillingService:
    def __init__(self, invoices, gateway, plans, country_of=lambda customer: customer.country):
        self.invoices = invoices
        self.gateway = gateway
        self.plans = plans
        self.country_of = country_of
        self._sequence = 0
        self._used_coupons: set[tuple[int, str]] = set()

    def invoice_for(self, customer: Customer, subscription: Subscription, coupon: str | None = None) -> Invoice:
        amount = Decimal(subscription.plan.monthly_price)
        if coupon:
            key = (customer.id, validate_coupon_code(coupon))
            if key not in self._used_coupons:
                amount = pricing.apply_discount(amount, COUPONS[coupon])
                self._used_coupons.add(key)
        self._sequence += 1
        invoice = Invoice(
            number=Invoice.format_number(date.today().year, self._sequence),
            customer_id=customer.id,
            subscription_id=subscription.id,
            amount=amount,
            tax=pricing.tax_for(self.country_of(customer), amount),
            issued_on=date.today(),
        )
        return self.invoices.add(invoice)

    def charge(self, invoice: Invoice) -> bool:
        result = self.gateway.charge(invoice.total, invoice.currency, token=f"inv_{invoice.number}")
        invoice.paid = result.get("status") == "succeeded"
        return invoice.paid

    def run(self, subscriptions) -> list[Invoice]:
        issued = []
        for subscription in subscriptions:
            if subscription.status is SubscriptionStatus.CANCELLED:
                continue
            invoice = self.invoice_for(subscription.customer, subscription)
            self.charge(invoice)
            issued.append(invoice)
        return issued
