"""Request and response bodies."""

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, EmailStr, field_serializer, field_validator

KNOWN_PLANS = ("free", "pro", "team", "enterprise")


class PlanOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    monthly_price: Decimal
    unit_limit: int

    @field_serializer("monthly_price")
    def _price_as_string(self, value: Decimal) -> str:
        return f"{value:.2f}"


class CustomerIn(BaseModel):
    email: EmailStr
    name: str
    country: str = "DE"

    @field_validator("name")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()


class SubscriptionIn(BaseModel):
    plan: str
    trial: bool = True
    coupon: str | None = None

    @field_validator("plan")
    @classmethod
    def _known_plan(cls, value: str) -> str:
        if value not in KNOWN_PLANS:
            raise ValueError(f"unknown plan {value}")
        return value


class SubscriptionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    status: str
    external_id: str | None
    started_on: date | None


class InvoiceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: str
    amount: Decimal
    tax: Decimal
    issued_on: date
    paid: bool
