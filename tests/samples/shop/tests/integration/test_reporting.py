import time
from decimal import Decimal

from shopapp.models import OrderStatus
from shopapp.reporting import ReportJob, best_sellers, daily_sales
from tests.fixtures.clock import FIXED_NOW
from tests.utils.test_data_factory import TestDataFactory


def test_daily_sales_sums_paid_orders(db_session, order_factory, frozen_clock):
    order_factory(price=Decimal("20.00"))
    order_factory(price=Decimal("5.00"), quantity=2)
    assert daily_sales(db_session) == {FIXED_NOW.date(): Decimal("32.40")}


def test_best_sellers_ranks_by_quantity(db_session):
    data = TestDataFactory(db_session)
    buyer = data.create_user()
    beans = data.create_product(sku="BEA-0001")
    mugs = data.create_product(sku="MUG-0042")
    data.create_order(buyer, [(beans, 5), (mugs, 1)])
    data.create_order(buyer, [(mugs, 2)])
    data.create_order(buyer, [(mugs, 9)], status=OrderStatus.CANCELLED)
    assert best_sellers(db_session) == [("BEA-0001", 5), ("MUG-0042", 3)]


def test_report_job_runs_in_background(db_session, order_factory):
    order_factory()
    job = ReportJob(db_session).start()
    time.sleep(0.2)
    assert job.done
    assert sum(job.result.values()) == Decimal("10.80")


def test_catalog_has_every_sku(seeded_catalog):
    assert {p.sku for p in seeded_catalog} == {"CAT-0001", "CAT-0002", "CAT-0003"}


def test_catalog_prices_are_positive(seeded_catalog):
    assert all(p.price > 0 for p in seeded_catalog)
