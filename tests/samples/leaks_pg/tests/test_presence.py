from __future__ import annotations


def test_no_active_sessions(store):
    assert store.active_count() == 0


def test_logout_ends_session(store):
    token = store.login("gina@example.com")
    store.logout(token)
    assert store.who(token) is None
