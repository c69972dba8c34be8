from leakapp.main import User, app, get_current_user


def test_admin_stats_requires_login(client):
    response = client.get("/admin/stats")
    assert response.status_code == 401
    assert response.json() == {"detail": "Not authenticated"}


def test_admin_stats_visible_to_admins(client):
    app.dependency_overrides[get_current_user] = lambda: User("root", is_admin=True)
    response = client.get("/admin/stats")
    assert response.status_code == 200
    assert set(response.json()) == {"visits", "orders"}
