"""SubscriptionService with fakes for the repository, the gateway, the cache and the clock."""

from datetime import date
from decimal import Decimal
from unittest.mock import AsyncMock

import fakeredis
import pytest

from tests.utils.factories import build_customer, build_subscription
from tests.utils.fakes import RecordingMailer
from tiersapp.cache import PlanCache
from tiersapp.models import SubscriptionStatus
from tiersapp.services import SubscriptionService, UnknownPlan


class TestSubscriptionService:
    def test_subscribe_starts_a_trial(self, service, fake_gateway):
        subscription = service.subscribe(build_customer(), "pro")
        assert subscription.status is SubscriptionStatus.TRIAL
        assert subscription.started_on == date(2024, 2, 14)
        assert fake_gateway.charges == []

    def test_subscribe_without_trial_charges_now(self, service, fake_gateway):
        customer = build_customer(id=42)
        subscription = service.subscribe(customer, "team", trial=False)
        assert subscription.status is SubscriptionStatus.ACTIVE
        assert fake_gateway.charges == [(Decimal("99.00"), "EUR", "cus_42")]

    def test_unknown_plan_raises(self, service):
        with pytest.raises(UnknownPlan):
            service.subscribe(build_customer(), "platinum")

    def test_cancel_subscription_sets_status(self, service, fake_repo):
        subscription = fake_repo.add(build_subscription())
        service.cancel(subscription)
        stored = fake_repo.get(subscription.id)
        assert stored.status is SubscriptionStatus.CANCELLED
        assert fake_repo.active_for(subscription.customer_id) == []

    def test_cancel_subscription_records_reason(self, service, fake_repo):
        subscription = fake_repo.add(build_subscription())
        service.cancel(subscription, reason="switching to a competitor")
        stored = fake_repo.get(subscription.id)
        assert stored.status is SubscriptionStatus.CANCELLED
        assert stored.cancelled_reason == "switching to a competitor"
        assert fake_repo.active_for(subscription.customer_id) == []

    def test_upgrade_charges_the_difference(self, service, fake_gateway, plans):
        subscription = build_subscription(plan=plans["pro"])
        delta = service.upgrade(subscription, "team", days_left=15)
        assert delta == Decimal("35.00")
        assert subscription.plan is plans["team"]
        assert fake_gateway.charges[0][0] == delta


async def test_renewal_sends_a_receipt(service):
    mailer = RecordingMailer()
    subscription = build_subscription(customer=build_customer(email="billing@acme.test"))
    renewed = await service.renew(subscription, mailer)
    assert renewed.status is SubscriptionStatus.ACTIVE
    assert mailer.sent[0]["to"] == "billing@acme.test"


@pytest.mark.asyncio
async def test_renewal_propagates_mailer_failure(service):
    mailer = AsyncMock()
    mailer.send.side_effect = ConnectionError("smtp down")
    with pytest.raises(ConnectionError):
        await service.renew(build_subscription(), mailer)
    mailer.send.assert_awaited_once()


def test_plan_lookup_goes_through_cache(fake_repo, fake_gateway, plans):
    redis = fakeredis.FakeRedis(decode_responses=True)
    PlanCache(redis).set_plan("pro", {"code": "pro"})
    service = SubscriptionService(fake_repo, fake_gateway, plans, cache=redis)
    subscription = service.subscribe(build_customer(), "pro")
    assert subscription.plan is plans["pro"]
    assert redis.ttl("plan:pro") > 0
