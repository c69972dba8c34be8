"""Sees only selfchain/conftest.py's session ``store``. pytest: passes."""


def test_top_store(store):  # passes
    assert store == ["session"]
