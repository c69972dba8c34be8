def test_db_chain_three_levels(db):
    assert db == ["root-db", "overrides-conftest", "deeper-conftest"]
