"""Outside overrides/: only the root conftest's ``db`` is visible."""


def test_root_db(db):
    assert db == ["root-db"]
