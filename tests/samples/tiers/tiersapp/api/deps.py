"""FastAPI dependencies."""

import jwt
import redis
from fastapi import Depends, Header, HTTPException
from sqlalchemy.orm import Session

from tiersapp.cache import PlanCache
from tiersapp.config import Settings, get_settings
from tiersapp.db import get_db
from tiersapp.models import Customer
from tiersapp.payments import PaymentGateway
from tiersapp.repositories import CustomerRepository, PlanRepository, SubscriptionRepository
from tiersapp.services import SubscriptionService

__all__ = ["get_db", "get_gateway", "get_cache", "get_current_customer", "get_subscription_service"]


def get_gateway(settings: Settings = Depends(get_settings)) -> PaymentGateway:
    return PaymentGateway(settings.gateway_url, settings.gateway_api_key)


def get_cache(settings: Settings = Depends(get_settings)) -> PlanCache:
    return PlanCache(redis.Redis.from_url(settings.redis_url))


def get_current_customer(
    authorization: str = Header(...),
    db: Session = Depends(get_db),
    settings: Settings = Depends(get_settings),
) -> Customer:
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer":
        raise HTTPException(status_code=401, detail="bearer token required")
    try:
        claims = jwt.decode(token, settings.jwt_secret, algorithms=["HS256"])
    except jwt.PyJWTError:
        raise HTTPException(status_code=401, detail="invalid token") from None
    customer = CustomerRepository(db).get(int(claims["sub"]))
    if customer is None:
        raise HTTPException(status_code=401, detail="unknown customer")
    return customer


def get_subscription_service(
    db: Session = Depends(get_db), gateway: PaymentGateway = Depends(get_gateway)
) -> SubscriptionService:
    plans = {plan.code: plan for plan in PlanRepository(db).all()}
    return SubscriptionService(SubscriptionRepository(db), gateway, plans)
