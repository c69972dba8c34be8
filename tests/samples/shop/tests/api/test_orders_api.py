import pytest


@pytest.fixture
def auth_headers(customer_user, token_for):
    return {"Authorization": f"Bearer {token_for(customer_user)}"}


def test_create_order(client, auth_headers, product_factory):
    product = product_factory(stock=3)
    response = client.post(
        "/orders",
        json={"lines": [{"product_id": product.id, "quantity": 2}], "payment_token": "tok_visa"},
        headers=auth_headers,
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "paid"
    assert body["lines"] == [{"product_id": product.id, "quantity": 2, "unit_price": "10.00"}]


def test_create_order_requires_authentication(client, product_factory):
    product = product_factory()
    response = client.post("/orders", json={"lines": [{"product_id": product.id, "quantity": 1}]})
    assert response.status_code == 401


def test_create_order_with_declined_card(client, auth_headers, product_factory):
    product = product_factory()
    response = client.post(
        "/orders",
        json={"lines": [{"product_id": product.id, "quantity": 1}], "payment_token": "tok_declined"},
        headers=auth_headers,
    )
    assert response.status_code == 402


def test_get_own_order(client, auth_headers, order_factory):
    order = order_factory()
    response = client.get(f"/orders/{order.id}", headers=auth_headers)
    assert response.status_code == 200
    assert response.json()["id"] == order.id


def test_cannot_see_other_users_order(client, user_factory, token_for, order_factory):
    order = order_factory()
    stranger = user_factory()
    response = client.get(
        f"/orders/{order.id}", headers={"Authorization": f"Bearer {token_for(stranger)}"}
    )
    assert response.status_code == 404


def test_cancel_order(client, auth_headers, order_factory):
    order = order_factory()
    response = client.post(f"/orders/{order.id}/cancel", headers=auth_headers)
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
