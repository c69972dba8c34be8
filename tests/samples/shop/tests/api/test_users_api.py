import pytest

from tests.fixtures.users import DEFAULT_PASSWORD


@pytest.fixture
def auth_headers(customer_user, token_for):
    return {"Authorization": f"Bearer {token_for(customer_user)}"}


def test_me_returns_current_user(auth_client, customer_user):
    response = auth_client.get("/users/me")
    assert response.status_code == 200
    assert response.json()["email"] == customer_user.email


def test_register_user(client):
    response = client.post(
        "/users", json={"email": "New.User@Shop.Example", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 201
    assert response.json()["email"] == "new.user@shop.example"


def test_register_duplicate_email(client, customer_user):
    response = client.post(
        "/users", json={"email": customer_user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 409


def test_list_users_requires_admin(client, auth_headers):
    assert client.get("/users", headers=auth_headers).status_code == 403


def test_admin_can_list_users(client, request, token_for):
    admin = request.getfixturevalue("admin_user")
    response = client.get("/users", headers={"Authorization": f"Bearer {token_for(admin)}"})
    assert response.status_code == 200
    assert admin.email in {u["email"] for u in response.json()}
