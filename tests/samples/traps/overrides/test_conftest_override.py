"""``db`` here is overrides/conftest.py's, which wraps the root conftest's."""


def test_db_chain_from_conftest(db):
    assert db == ["root-db", "overrides-conftest"]
