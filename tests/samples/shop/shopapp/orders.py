"""Placing, paying, shipping and cancelling orders."""

from __future__ import annotations

from decimal import Decimal

from shopapp.config import get_settings
from shopapp.db import Session
from shopapp.inventory import InventoryService
from shopapp.models import Order, OrderLine, OrderStatus, Product, User
from shopapp.notifications import EmailClient
from shopapp.payments import PaymentDeclined, PaymentGateway
from shopapp.pricing import Discount, tax_for


class EmptyOrder(ValueError):
    pass


class OrderService:
    def __init__(self, session: Session, gateway: PaymentGateway | None = None,
                 mailer: EmailClient | None = None) -> None:
        self.session = session
        self.gateway = gateway or PaymentGateway()
        self.mailer = mailer or EmailClient()
        self.inventory = InventoryService(session)

    def create(self, user: User, items: list[tuple[Product, int]],
               discount: Discount | None = None) -> Order:
        if not items:
            raise EmptyOrder("an order needs at least one line")
        for product, quantity in items:
            self.inventory.reserve(product, quantity)
        lines = [OrderLine(product_id=p.id, quantity=q, unit_price=p.price) for p, q in items]
        assert user.id is not None
        order = Order(user_id=user.id, lines=lines, currency=get_settings().currency)
        if discount is not None:
            order.discount = discount.amount_for(order.subtotal)
        order.tax = tax_for(order.subtotal - order.discount)
        self.session.add(order)
        self.session.add_all(lines)
        self.session.flush()
        for line in lines:
            line.order_id = order.id
        return order

    def pay(self, order: Order, token: str) -> Order:
        charge = self.gateway.charge(order.total, order.currency, token)
        order.charge_id = charge.id
        order.transition(OrderStatus.PAID)
        return order

    def place_order(self, user: User, items: list[tuple[Product, int]], token: str,
                    discount: Discount | None = None) -> Order:
        order = self.create(user, items, discount)
        try:
            self.pay(order, token)
        except PaymentDeclined:
            self.cancel(order)
            raise
        self.mailer.send(user.email, f"Order #{order.id} confirmed",
                         f"Total: {order.total} {order.currency}")
        return order

    def cancel(self, order: Order) -> Order:
        was_paid = order.status is OrderStatus.PAID
        order.transition(OrderStatus.CANCELLED)
        for line in order.lines:
            product = self.session.get(Product, line.product_id)
            if product is not None:
                self.inventory.release(product, line.quantity)
        if was_paid and order.charge_id:
            self.gateway.refund(order.charge_id)
        return order

    def ship(self, order: Order) -> Order:
        order.transition(OrderStatus.SHIPPED)
        return order

    def orders_for(self, user: User) -> list[Order]:
        return self.session.query(Order).filter_by(user_id=user.id).order_by("id").all()

    def revenue(self) -> Decimal:
        paid = {OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED}
        return sum((o.total for o in self.session.query(Order) if o.status in paid),
                   Decimal("0"))
