"""User endpoints."""


def test_register(client):
    status, body = client.post("/users", {"email": "api@example.com", "name": "Api"})
    assert status == 201
    assert body["email"] == "api@example.com"
