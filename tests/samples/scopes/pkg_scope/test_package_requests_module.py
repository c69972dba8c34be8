"""A package-scoped fixture requests a module-scoped one.

pytest: ERROR (ScopeMismatch) for test_pool_has_a_connection.
"""


def test_pool_has_a_connection(connection_pool):  # ERROR
    assert connection_pool[0]["open"]


def test_module_client_uses_package_settings(module_client):  # passes
    assert module_client["pool_size"] == 5


def test_module_connection_alone(module_connection):  # passes
    assert module_connection["open"]
