from decimal import Decimal

from shopapp.models import Order, OrderLine, OrderStatus, Product, Role, User


def test_new_order_is_pending(frozen_clock):
    order = Order(user_id=1)
    assert order.status is OrderStatus.PENDING
    assert order.created_at == frozen_clock


def test_order_subtotal_sums_lines():
    order = Order(
        user_id=1,
        lines=[
            OrderLine(product_id=1, quantity=2, unit_price=Decimal("3.50")),
            OrderLine(product_id=2, quantity=1, unit_price=Decimal("10.00")),
        ],
    )
    assert order.subtotal == Decimal("17.00")


def test_order_total_includes_discount_and_tax():
    order = Order(
        user_id=1,
        lines=[OrderLine(product_id=1, quantity=1, unit_price=Decimal("50.00"))],
        discount=Decimal("5.00"),
        tax=Decimal("3.60"),
    )
    assert order.total == Decimal("48.60")


def test_user_to_dict_hides_password():
    user = User(email="bob@shop.example", hashed_password="abc$def", role=Role.VIP, id=7)
    data = user.to_dict()
    assert "hashed_password" not in data
    assert data["role"] == "vip"


def test_product_to_dict_formats_price():
    product = Product(sku="TEA-0001", name="Green tea", price=Decimal("4.5"), id=3)
    assert product.to_dict()["price"] == "4.5"
