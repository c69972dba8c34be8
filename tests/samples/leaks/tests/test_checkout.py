from datetime import datetime, timezone

from leakapp import checkout, db as leakdb
from leakapp.compat import legacy_order_total
from leakapp.receipts import make_receipt


def test_default_mode_is_standard():
    assert checkout.current_mode() == "standard"
    assert not checkout.beta_enabled()


def test_order_total():
    assert checkout.order_total([(3, 2.5), (1, 0.99)]) == 8.49


def test_legacy_totals_still_supported():
    # v1 clients still call this; it must keep working (with a deprecation).
    assert legacy_order_total([(2, 5.0)]) == 10.0


def test_order_history_starts_empty(db):
    assert leakdb.list_orders(db) == []


def test_receipt_is_dated_today():
    receipt = make_receipt(order_id=1, total=5.0)
    assert receipt.issued_at.date() == datetime.now(timezone.utc).date()
