"""API tests go through the TestClient with the real dependency graph."""

import pytest


@pytest.fixture(scope="module")
def payment_sandbox(monkeypatch):
    """Force the payment provider's sandbox for every test in a module."""
    monkeypatch.setenv("PAYMENTS_MODE", "sandbox")
    yield "sandbox"


@pytest.fixture
def admin_client(client, admin_user, token_for):
    client.headers["Authorization"] = f"Bearer {token_for(admin_user)}"
    return client
