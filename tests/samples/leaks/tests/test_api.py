def test_health_ok(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_list_products(client):
    items = client.get("/products").json()["items"]
    assert [item["sku"] for item in items] == ["TEA-001", "TEA-002", "MUG-010"]


def test_unknown_route_returns_404(client):
    response = client.get("/nope")
    assert response.status_code == 404


def test_cors_closed_by_default(client):
    response = client.get("/health", headers={"Origin": "https://evil.example"})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


def test_errors_hide_internals(client):
    response = client.get("/stats/conversion")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal Server Error"}
