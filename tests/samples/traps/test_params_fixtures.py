"""``params=`` fixtures multiply the tests that use them, even indirectly."""

import pytest


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request):
    return request.param


@pytest.fixture(params=[1, 10, pytest.param(100, id="hundred")], ids=["one", "ten", None])
def batch_size(request):
    return request.param


@pytest.fixture
def repository(backend):
    """Not parametrized itself, but every user of it runs once per backend."""
    return {"backend": backend}


def test_backend_name(backend):  # 2 tests
    assert backend in {"sqlite", "postgres"}


def test_repository_per_backend(repository):  # 2 tests
    assert repository["backend"] in {"sqlite", "postgres"}


def test_batches(batch_size, backend):  # 3 x 2 = 6 tests
    assert batch_size in {1, 10, 100}
