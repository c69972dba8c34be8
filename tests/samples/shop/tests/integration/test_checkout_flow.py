import pytest

from shopapp.api import app
from shopapp.database import get_db
from shopapp.models import OrderStatus
from shopapp.payments import PaymentGateway, get_payment_gateway
from shopapp.testclient import TestClient


@pytest.fixture
def checkout_client(db_session, gateway, customer_user, token_for):
    app.dependency_overrides[get_db] = lambda: db_session
    app.dependency_overrides[get_payment_gateway] = lambda: gateway
    return TestClient(app, headers={"Authorization": f"Bearer {token_for(customer_user)}"})


def _order_body(product, quantity=1, token="tok_visa"):
    return {"lines": [{"product_id": product.id, "quantity": quantity}], "payment_token": token}


class TestCheckoutFlow:
    pytestmark = pytest.mark.integration

    def test_checkout_happy_path(self, checkout_client, product_factory):
        product = product_factory(stock=5)
        response = checkout_client.post("/orders", json=_order_body(product, 2))
        assert response.status_code == 201
        assert response.json()["status"] == OrderStatus.PAID.value
        assert product.stock == 3

    def test_declined_card_releases_stock(self, checkout_client, product_factory):
        product = product_factory(stock=5)
        response = checkout_client.post("/orders", json=_order_body(product, 2, "tok_declined"))
        assert response.status_code == 402
        assert response.json()["detail"] == "card_declined"
        assert product.stock == 5

    def test_out_of_stock_is_a_conflict(self, checkout_client, product_factory):
        product = product_factory(stock=1)
        response = checkout_client.post("/orders", json=_order_body(product, 2))
        assert response.status_code == 409

    def test_every_payment_method_is_accepted(self, checkout_client, product_factory, payment_method):
        response = checkout_client.post("/orders", json=_order_body(product_factory(), token=payment_method))
        assert response.status_code == 201

    def test_cancel_after_checkout_refunds(self, checkout_client, product_factory, gateway):
        order = checkout_client.post("/orders", json=_order_body(product_factory())).json()
        response = checkout_client.post(f"/orders/{order['id']}/cancel")
        assert response.json()["status"] == "cancelled"
        assert len(gateway.refunds) == 1
        assert isinstance(gateway, PaymentGateway)
