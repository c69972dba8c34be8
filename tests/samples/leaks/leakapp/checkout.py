"""Checkout: order totals and placing orders."""

import os

from leakapp import db


def current_mode():
    return os.environ.get("APP_MODE", "standard")


def beta_enabled():
    return current_mode() == "beta"


def order_total(lines):
    """lines: iterable of (quantity, unit_price)."""
    return round(sum(qty * price for qty, price in lines), 2)


def place_order(conn, customer, lines):
    order_id = db.insert_order(conn, customer, order_total(lines))
    # Make the order durable before the confirmation e-mail goes out.
    conn.commit()
    return order_id
