"""Back to the conftest's session-scoped ``db``, after the overriding module.

pytest: passes (the ScopeMismatch of test_override_2_function_db.py does not
leak into this module).
"""


def test_warm_cache_still_works(warm_cache):  # passes
    assert warm_cache["db"] == "session-db"
