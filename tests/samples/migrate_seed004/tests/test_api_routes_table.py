"""api routes table (unit)."""

from medapp import api


def test_handler_exists():
    assert callable(api.handle)


def test_client_class():
    assert hasattr(api.Client, "post")
