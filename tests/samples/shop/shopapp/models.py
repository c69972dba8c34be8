"""ORM models."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from shopapp import clock
from shopapp.db import Base


class Role(str, enum.Enum):
    CUSTOMER = "customer"
    VIP = "vip"
    ADMIN = "admin"


class OrderStatus(str, enum.Enum):
    PENDING = "pending"
    PAID = "paid"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


ALLOWED_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PENDING: frozenset({OrderStatus.PAID, OrderStatus.CANCELLED}),
    OrderStatus.PAID: frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.DELIVERED}),
    OrderStatus.DELIVERED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}


class InvalidTransition(Exception):
    pass


@dataclass(eq=False)
class User(Base):
    __tablename__ = "users"
    __unique__ = ("email",)

    email: str
    full_name: str = ""
    role: Role = Role.CUSTOMER
    hashed_password: str = ""
    is_active: bool = True
    id: int | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "email": self.email, "full_name": self.full_name,
                "role": self.role.value, "is_active": self.is_active}


@dataclass(eq=False)
class Product(Base):
    __tablename__ = "products"
    __unique__ = ("sku",)

    sku: str
    name: str
    price: Decimal
    stock: int = 0
    active: bool = True
    id: int | None = None

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "sku": self.sku, "name": self.name,
                "price": str(self.price), "stock": self.stock}


@dataclass(eq=False)
class OrderLine(Base):
    __tablename__ = "order_lines"

    product_id: int
    quantity: int
    unit_price: Decimal
    order_id: int | None = None
    id: int | None = None

    @property
    def total(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass(eq=False)
class Order(Base):
    __tablename__ = "orders"

    user_id: int
    lines: list[OrderLine] = field(default_factory=list)
    status: OrderStatus = OrderStatus.PENDING
    discount: Decimal = Decimal("0")
    tax: Decimal = Decimal("0")
    currency: str = "USD"
    charge_id: str | None = None
    created_at: datetime = field(default_factory=lambda: clock.now())
    id: int | None = None

    @property
    def subtotal(self) -> Decimal:
        return sum((line.total for line in self.lines), Decimal("0"))

    @property
    def total(self) -> Decimal:
        return self.subtotal - self.discount + self.tax

    def transition(self, new_status: OrderStatus) -> None:
        if new_status not in ALLOWED_TRANSITIONS[self.status]:
            raise InvalidTransition(f"{self.status.value} -> {new_status.value}")
        self.status = new_status

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "user_id": self.user_id,
            "status": self.status.value,
            "currency": self.currency,
            "total": str(self.total),
            "lines": [
                {"product_id": ln.product_id, "quantity": ln.quantity,
                 "unit_price": str(ln.unit_price)}
                for ln in self.lines
            ],
        }


@dataclass(eq=False)
class Currency(Base):
    """Reference data seeded into every test database."""

    __tablename__ = "currencies"
    __unique__ = ("code",)

    code: str
    symbol: str
    id: int | None = None
