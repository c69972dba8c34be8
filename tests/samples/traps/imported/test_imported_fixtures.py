"""Fixtures reached through imports and pytest_plugins, not definitions."""


def test_thing_from_relative_import(thing):
    assert thing == {"kind": "thing"}


def test_star_imported_into_root_conftest(star_client):
    assert star_client["url"] == "http://shop.test"


def test_plugin_fixture(plugin_cart):
    assert plugin_cart == {"currency": "USD", "items": []}
