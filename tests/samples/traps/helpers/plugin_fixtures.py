"""Loaded through ``pytest_plugins = ["helpers.plugin_fixtures"]`` in the root
conftest: every fixture here is visible to every test, and so are hooks."""

import pytest


@pytest.fixture(scope="session")
def plugin_settings():
    return {"currency": "USD", "tax_rate": "0.08"}


@pytest.fixture
def plugin_cart(plugin_settings):
    return {"currency": plugin_settings["currency"], "items": []}
