"""SubscriptionRepository against PostgreSQL."""

from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.utils.factories import create_customer, create_subscription
from tiersapp.models import Plan

pytestmark = pytest.mark.integration


@pytest.fixture
def pro_plan(db_session):
    plan = Plan(code="pro", name="Pro", monthly_price=Decimal("29.00"), seats=5)
    db_session.add(plan)
    db_session.flush()
    db_session.refresh(plan)
    return plan


class TestSubscriptionRepository:
    def test_add_and_get(self, subscription_repo, db_session, pro_plan):
        customer = create_customer(db_session)
        created = create_subscription(db_session, customer, pro_plan)
        db_session.expire_all()
        loaded = subscription_repo.get(created.id)
        assert loaded.plan.code == "pro"
        assert loaded.customer.email == customer.email

    def test_active_for_ignores_other_customers(self, subscription_repo, db_session, pro_plan):
        mine, theirs = create_customer(db_session), create_customer(db_session)
        create_subscription(db_session, mine, pro_plan)
        create_subscription(db_session, theirs, pro_plan)
        assert len(subscription_repo.active_for(mine.id)) == 1

    def test_cancel_is_persisted(self, subscription_repo, db_session, pro_plan):
        subscription = create_subscription(db_session, create_customer(db_session), pro_plan)
        subscription_repo.cancel(subscription, reason="budget")
        status, reason = db_session.execute(
            text("SELECT status, cancelled_reason FROM subscriptions WHERE id = :id"), {"id": subscription.id}
        ).one()
        assert (status, reason) == ("CANCELLED", "budget")

    def test_external_id_is_unique(self, db_session, pro_plan):
        customer = create_customer(db_session)
        create_subscription(db_session, customer, pro_plan, external_id="sub_dup")
        with pytest.raises(IntegrityError):
            create_subscription(db_session, customer, pro_plan, external_id="sub_dup")
