import pytest

from shopapp.models import InvalidTransition, Order, OrderStatus
from tests.fixtures.clock import FIXED_NOW


@pytest.mark.usefixtures("frozen_clock")
class TestOrderStateMachine:
    def test_pending_order_can_be_paid(self):
        order = Order(user_id=1)
        order.transition(OrderStatus.PAID)
        assert order.status is OrderStatus.PAID

    def test_paid_order_can_ship(self):
        order = Order(user_id=1, status=OrderStatus.PAID)
        order.transition(OrderStatus.SHIPPED)
        assert order.status is OrderStatus.SHIPPED

    def test_shipped_order_cannot_be_cancelled(self):
        order = Order(user_id=1, status=OrderStatus.SHIPPED)
        with pytest.raises(InvalidTransition, match="shipped -> cancelled"):
            order.transition(OrderStatus.CANCELLED)

    @pytest.mark.parametrize("target", list(OrderStatus))
    def test_cancelled_is_terminal(self, target):
        order = Order(user_id=1, status=OrderStatus.CANCELLED)
        with pytest.raises(InvalidTransition):
            order.transition(target)

    def test_created_at_uses_the_frozen_clock(self):
        assert Order(user_id=1).created_at == FIXED_NOW
