def test_payments_use_the_sandbox(client, payment_sandbox):
    assert client.get("/payments/mode").json() == {"mode": payment_sandbox}


def test_payments_mode_defaults_to_sandbox(client):
    assert client.get("/payments/mode").json() == {"mode": "sandbox"}


def test_live_mode_from_environment(client, monkeypatch):
    monkeypatch.setenv("PAYMENTS_MODE", "live")
    assert client.get("/payments/mode").json() == {"mode": "live"}
