"""Health endpoint."""


def test_health(client):
    assert client.get("/health") == (200, {"status": "ok"})


def test_unknown_route(client):
    assert client.get("/nope")[0] == 404
