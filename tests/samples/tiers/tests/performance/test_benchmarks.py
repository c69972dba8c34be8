"""pytest-benchmark comparisons; the nightly job runs them with --benchmark-only."""

from decimal import Decimal

import pytest

from tests.helpers.http import signed_event
from tiersapp.models import Plan
from tiersapp.pricing import apply_discount, prorate, tier_for_usage
from tiersapp.repositories import SubscriptionRepository
from tiersapp.text import slugify
from tiersapp.webhooks import verify

pytestmark = pytest.mark.benchmark


@pytest.fixture
def plan_catalog():
    catalog = {}
    for code, price, limit in [
        ("free", "0.00", 1_000),
        ("pro", "29.00", 50_000),
        ("enterprise", "499.00", 1_000_000),
    ]:
        catalog[code] = Plan(
            code=code, name=code.title(), monthly_price=Decimal(price), unit_limit=limit
        )
    return catalog


def test_bench_apply_discount(benchmark):
    amounts = [Decimal(cents) / 100 for cents in range(100, 100_100, 100)]
    discounted = benchmark(lambda: [apply_discount(amount, 15) for amount in amounts])
    assert len(discounted) == 1000
    assert discounted[0] == Decimal("0.85")


def test_bench_prorate_month(benchmark):
    result = benchmark(prorate, Decimal("99.00"), 17, 31)
    assert result == Decimal("54.29")


def test_bench_tier_lookup(benchmark, plan_catalog):
    limits = [plan.unit_limit for plan in plan_catalog.values()]
    tiers = benchmark.pedantic(lambda: [tier_for_usage(units) for units in limits], rounds=200, iterations=10)
    assert tiers == ["free", "pro", "enterprise"]


def test_bench_webhook_verification(benchmark):
    body, headers = signed_event("invoice.paid", "whsec_bench")
    assert benchmark(verify, body, headers["Paybridge-Signature"], "whsec_bench") is True


def test_bench_slugify_long_names(benchmark):
    name = "Société Générale Müller & Söhne " * 20
    slug = benchmark(slugify, name)
    assert slug.startswith("societe-generale-muller-sohne")
    assert "--" not in slug


def test_bench_active_subscriptions_query(benchmark, db_session):
    repo = SubscriptionRepository(db_session)
    rows = benchmark(repo.active_for, 1)
    assert list(rows) == []
