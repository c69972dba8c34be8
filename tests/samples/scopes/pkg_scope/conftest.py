"""Package-level fixtures (pkg_scope/ is a package: it has __init__.py)."""

import pytest


@pytest.fixture(scope="module")
def module_connection():
    return {"open": True}


@pytest.fixture(scope="package")
def connection_pool(module_connection):  # package -> module: ScopeMismatch
    return [module_connection]


@pytest.fixture(scope="package")
def package_settings():
    return {"pool_size": 5}


@pytest.fixture(scope="module")
def module_client(package_settings):  # module -> package: fine
    return {"pool_size": package_settings["pool_size"]}
