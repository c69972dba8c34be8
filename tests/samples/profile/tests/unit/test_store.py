from pathlib import Path

from profapp import store


def test_store_in_a_file():
    Path("data").mkdir(exist_ok=True)
    orders = store.Store("data/app.db")
    try:
        orders.add("apple", 3)
        assert orders.total() >= 3
    finally:
        orders.close()
        Path("data/app.db").unlink()
        Path("data").rmdir()


def test_store_in_memory():
    orders = store.Store(":memory:")
    orders.add("pear", 2)
    assert orders.total() == 2
    orders.close()
