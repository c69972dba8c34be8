from shopapp import __version__


def test_health_endpoint_reports_ok(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_health_reports_version(client):
    assert client.get("/health").json()["version"] == __version__


def test_database_health_check(client):
    response = client.get("/health/db")
    assert response.status_code == 200
    assert response.json() == {"database": "ok"}


def test_unknown_route_is_404(client):
    assert client.get("/healthz").status_code == 404
