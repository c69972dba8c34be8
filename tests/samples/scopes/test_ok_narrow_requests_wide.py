"""Narrow fixtures requesting wider ones: never a ScopeMismatch. pytest: all pass."""

import pytest


@pytest.fixture(scope="session")
def service_registry():
    return {"payments": "sandbox"}


@pytest.fixture(scope="package")
def package_config(service_registry):  # package -> session
    return dict(service_registry)


@pytest.fixture(scope="module")
def module_client(package_config):  # module -> package
    return {"config": package_config}


@pytest.fixture(scope="class")
def class_cart(module_client):  # class -> module
    return {"client": module_client, "items": []}


@pytest.fixture
def request_context(class_cart, service_registry):  # function -> class, function -> session
    return {"cart": class_cart, "registry": service_registry}


def test_module_client(module_client):
    assert module_client["config"]["payments"] == "sandbox"


def test_request_context(request_context):
    assert request_context["registry"]["payments"] == "sandbox"


class TestCartScope:
    def test_cart_shared_in_class(self, class_cart):
        class_cart["items"].append("mug")
        assert class_cart["items"] == ["mug"]

    def test_cart_still_has_item(self, class_cart, request_context):
        assert request_context["cart"] is class_cart
        assert class_cart["items"] == ["mug"]


def test_class_fixture_from_a_plain_function(class_cart):
    # class scope on a module-level test function: one instance for this test
    assert class_cart["items"] == []
