from decimal import Decimal


def test_list_products_sorted_by_sku(client, product_factory):
    product_factory(sku="ZED-0001")
    product_factory(sku="ABC-0001")
    skus = [p["sku"] for p in client.get("/products").json()]
    assert skus == sorted(skus)
    assert {"ABC-0001", "ZED-0001"} <= set(skus)


def test_inactive_products_are_hidden(client, product_factory):
    hidden = product_factory(active=False)
    assert hidden.sku not in [p["sku"] for p in client.get("/products").json()]
    assert client.get(f"/products/{hidden.id}").status_code == 404


def test_get_product(client, product_factory):
    product = product_factory(price=Decimal("7.25"))
    response = client.get(f"/products/{product.id}")
    assert response.status_code == 200
    assert response.json()["price"] == "7.25"


def test_get_missing_product(client):
    assert client.get("/products/999999").status_code == 404
