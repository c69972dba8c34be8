from __future__ import annotations


def test_login_returns_token(store):
    token = store.login("hugo@example.com")
    assert len(token) == 16
    assert store.who(token) == "hugo@example.com"
