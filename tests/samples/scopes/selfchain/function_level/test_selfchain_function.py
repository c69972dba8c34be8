"""store: function(function_level) -> session(top). pytest: passes."""


def test_function_store(store):  # passes
    assert store == ["session", "function"]
