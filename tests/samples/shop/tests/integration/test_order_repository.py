from decimal import Decimal

import pytest

from shopapp.db import OperationalError, Session, create_engine
from shopapp.models import Order, OrderLine, OrderStatus
from shopapp.orders import OrderService


class TestOrderRepository:
    @pytest.fixture
    def service(self, db_session, gateway):
        return OrderService(db_session, gateway)

    def test_orders_for_user_are_sorted_by_id(self, service, customer_user, product_factory):
        first = service.create(customer_user, [(product_factory(), 1)])
        second = service.create(customer_user, [(product_factory(), 2)])
        assert service.orders_for(customer_user) == [first, second]

    def test_orders_of_other_users_are_not_returned(
        self, service, customer_user, user_factory, product_factory
    ):
        other = user_factory()
        service.create(other, [(product_factory(), 1)])
        assert service.orders_for(customer_user) == []

    def test_revenue_counts_paid_orders_only(self, service, customer_user, product_factory):
        service.place_order(customer_user, [(product_factory(price=Decimal("10.00")), 1)], "tok_visa")
        service.create(customer_user, [(product_factory(price=Decimal("99.00")), 1)])
        assert service.revenue() == Decimal("10.80")

    def test_order_lines_are_linked_to_the_order(self, service, customer_user, product_factory, db_session):
        order = service.create(customer_user, [(product_factory(), 3)])
        lines = db_session.query(OrderLine).filter_by(order_id=order.id).all()
        assert [line.quantity for line in lines] == [3]
        assert db_session.get(Order, order.id).status is OrderStatus.PENDING


def test_query_without_schema_fails():
    engine = create_engine("postgresql+psycopg://test:test@localhost:5432/empty")
    with Session(bind=engine) as session:
        with pytest.raises(OperationalError, match="no such table: orders"):
            session.query(Order).all()
