from leakapp import checkout, db as leakdb


def test_insert_order_roundtrip(db):
    order_id = leakdb.insert_order(db, "bob", 10.0)
    assert leakdb.get_order(db, order_id)["total"] == 10.0


def test_place_order_persists(db):
    order_id = checkout.place_order(db, "alice", [(2, 21.0)])
    order = leakdb.get_order(db, order_id)
    assert order["customer"] == "alice"
    assert order["total"] == 42.0
