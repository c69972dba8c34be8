"""store: session(wider_again) -> module(narrower) -> session(top).

pytest: ERROR (ScopeMismatch) for test_wider_again_store.
"""


def test_wider_again_store(store):  # ERROR
    assert store[-1] == "session-again"


def test_no_store_needed():  # passes
    assert True
