from tests.fixtures.users import DEFAULT_PASSWORD


def test_login_returns_token(client, customer_user):
    response = client.post(
        "/auth/token", json={"email": customer_user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200
    assert response.json()["token_type"] == "bearer"


def test_login_with_wrong_password(client, customer_user):
    response = client.post("/auth/token", json={"email": customer_user.email, "password": "nope"})
    assert response.status_code == 401


def test_login_unknown_user(client):
    response = client.post(
        "/auth/token", json={"email": "ghost@shop.example", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 401


def test_expired_token_is_rejected(client, customer_user, token_for):
    token = token_for(customer_user, ttl=-1)
    response = client.get("/users/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json()["detail"] == "token expired"


def test_tampered_token_is_rejected(client, customer_user, token_for):
    body, _, _ = token_for(customer_user).partition(".")
    response = client.get("/users/me", headers={"Authorization": f"Bearer {body}.deadbeef"})
    assert response.status_code == 401


def test_token_of_disabled_user_is_rejected(admin_client, admin_user):
    admin_user.is_active = False
    assert admin_client.get("/users/me").status_code == 401
