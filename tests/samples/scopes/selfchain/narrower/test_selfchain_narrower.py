"""store: module(narrower) -> session(top). pytest: passes."""


def test_narrower_store(store):  # passes
    assert store == ["session", "module"]
