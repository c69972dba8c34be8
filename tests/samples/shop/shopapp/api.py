"""HTTP API of the order service."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from shopapp import __version__
from shopapp.auth import (
    InvalidToken,
    create_access_token,
    decode_access_token,
    hash_password,
    verify_password,
)
from shopapp.config import get_settings
from shopapp.database import get_db
from shopapp.db import IntegrityError, Session
from shopapp.inventory import OutOfStock
from shopapp.models import InvalidTransition, Order, Product, Role, User
from shopapp.orders import OrderService
from shopapp.payments import PaymentDeclined, PaymentGateway, get_payment_gateway
from shopapp.validators import ValidationError, validate_email, validate_quantity
from shopapp.web import Depends, FastAPI, HTTPException, Request

app = FastAPI(title="shop", version=__version__)


def get_current_user(request: Request, db: Session = Depends(get_db)) -> User:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme != "Bearer" or not token:
        raise HTTPException(401, "Not authenticated")
    try:
        claims = decode_access_token(token)
    except InvalidToken as exc:
        raise HTTPException(401, str(exc)) from exc
    user = db.get(User, int(claims["sub"]))  # type: ignore[arg-type]
    if user is None or not user.is_active:
        raise HTTPException(401, "Inactive or unknown user")
    return user


def require_admin(user: User = Depends(get_current_user)) -> User:
    if not user.is_admin:
        raise HTTPException(403, "Admin only")
    return user


@app.get("/health")
def health() -> dict[str, Any]:
    return {"status": "ok", "version": __version__}


@app.get("/health/db")
def health_db(db: Session = Depends(get_db)) -> dict[str, Any]:
    return {"database": "ok" if db.execute("SELECT 1") == 1 else "down"}


@app.get("/payments/mode")
def payments_mode() -> dict[str, Any]:
    return {"mode": get_settings().payments_mode}


@app.post("/auth/token")
def login(payload: dict[str, Any], db: Session = Depends(get_db)) -> dict[str, Any]:
    user = db.query(User).filter_by(email=str(payload.get("email", "")).lower()).first()
    if user is None or not verify_password(str(payload.get("password", "")), user.hashed_password):
        raise HTTPException(401, "Incorrect email or password")
    if not user.is_active:
        raise HTTPException(403, "Account disabled")
    return {"access_token": create_access_token(user.id, user.role.value), "token_type": "bearer"}


@app.get("/users/me")
def me(user: User = Depends(get_current_user)) -> dict[str, Any]:
    return user.to_dict()


@app.get("/users")
def list_users(admin: User = Depends(require_admin),
               db: Session = Depends(get_db)) -> list[dict[str, Any]]:
    return [u.to_dict() for u in db.query(User).order_by("id")]


@app.post("/users", status_code=201)
def register(payload: dict[str, Any], db: Session = Depends(get_db)) -> dict[str, Any]:
    try:
        email = validate_email(str(payload.get("email", "")))
    except ValidationError as exc:
        raise HTTPException(422, str(exc)) from exc
    password = str(payload.get("password", ""))
    if len(password) < 8:
        raise HTTPException(422, "password: at least 8 characters")
    user = User(email=email, full_name=str(payload.get("full_name", "")),
                hashed_password=hash_password(password))
    db.add(user)
    try:
        db.flush()
    except IntegrityError as exc:
        db.rollback()
        raise HTTPException(409, "Email already registered") from exc
    return user.to_dict()


@app.get("/products")
def list_products(db: Session = Depends(get_db)) -> list[dict[str, Any]]:
    return [p.to_dict() for p in db.query(Product).filter_by(active=True).order_by("sku")]


@app.get("/products/{product_id}")
def get_product(product_id: int, db: Session = Depends(get_db)) -> dict[str, Any]:
    product = db.get(Product, product_id)
    if product is None or not product.active:
        raise HTTPException(404, "Product not found")
    return product.to_dict()


@app.post("/orders", status_code=201)
def create_order(payload: dict[str, Any], user: User = Depends(get_current_user),
                 db: Session = Depends(get_db),
                 gateway: PaymentGateway = Depends(get_payment_gateway)) -> dict[str, Any]:
    items = []
    for line in payload.get("lines", []):
        product = db.get(Product, int(line["product_id"]))
        if product is None:
            raise HTTPException(404, f"Product {line['product_id']} not found")
        try:
            items.append((product, validate_quantity(line["quantity"])))
        except ValidationError as exc:
            raise HTTPException(422, str(exc)) from exc
    if not items:
        raise HTTPException(422, "lines: at least one line is required")
    service = OrderService(db, gateway)
    try:
        order = service.place_order(user, items, str(payload.get("payment_token", "")))
    except OutOfStock as exc:
        raise HTTPException(409, str(exc)) from exc
    except PaymentDeclined as exc:
        raise HTTPException(402, exc.reason) from exc
    return order.to_dict()


def _visible_order(order_id: int, user: User, db: Session) -> Order:
    order = db.get(Order, order_id)
    if order is None or (order.user_id != user.id and user.role is not Role.ADMIN):
        raise HTTPException(404, "Order not found")
    return order


@app.get("/orders/{order_id}")
def get_order(order_id: int, user: User = Depends(get_current_user),
              db: Session = Depends(get_db)) -> dict[str, Any]:
    return _visible_order(order_id, user, db).to_dict()


@app.post("/orders/{order_id}/cancel")
def cancel_order(order_id: int, user: User = Depends(get_current_user),
                 db: Session = Depends(get_db),
                 gateway: PaymentGateway = Depends(get_payment_gateway)) -> dict[str, Any]:
    order = _visible_order(order_id, user, db)
    try:
        OrderService(db, gateway).cancel(order)
    except InvalidTransition as exc:
        raise HTTPException(409, str(exc)) from exc
    return order.to_dict()


def revenue_total(db: Session) -> Decimal:
    return OrderService(db).revenue()
