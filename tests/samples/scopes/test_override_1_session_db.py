"""Uses the conftest's session-scoped ``db`` and ``warm_cache``.

pytest: passes (warm_cache -> db is session -> session here).
Runs before test_override_2_function_db.py.
"""


def test_warm_cache_uses_session_db(warm_cache):  # passes
    assert warm_cache["db"] == "session-db"


def test_db_is_session_scoped(db):  # passes
    assert db.name == "session-db"
