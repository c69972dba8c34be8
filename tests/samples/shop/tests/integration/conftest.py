"""Integration tests: real schema, services wired together."""

from decimal import Decimal

import pytest

from shopapp.models import Product


@pytest.fixture
def db_session(db_session):
    """The suite-wide session, tagged so the audit trail shows who wrote the rows."""
    db_session.info["source"] = "integration-tests"
    yield db_session
    db_session.expunge_all()


@pytest.fixture(scope="session")
def seeded_catalog(db_session):
    """Load the product catalogue once for the whole run."""
    products = [
        Product(sku="CAT-0001", name="Espresso beans", price=Decimal("14.90"), stock=40),
        Product(sku="CAT-0002", name="Filter papers", price=Decimal("3.20"), stock=200),
        Product(sku="CAT-0003", name="Burr grinder", price=Decimal("129.00"), stock=5),
    ]
    db_session.add_all(products)
    db_session.flush()
    return products


@pytest.fixture(params=["card", "paypal", "invoice"])
def payment_method(request):
    """Provider test token for each supported payment method."""
    return {"card": "tok_visa", "paypal": "tok_paypal", "invoice": "tok_invoice"}[request.param]
