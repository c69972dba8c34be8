"""Indirect parametrization through module-scoped fixtures.

* ``backend`` (module) gets ``request.param``: fine, passes (2 tests).
* ``tuned_backend`` (module) gets ``request.param`` and also requests the
  function-scoped ``tuning``: ERROR (ScopeMismatch) for both of its tests.
"""

import pytest


@pytest.fixture(scope="module")
def backend(request):
    return {"name": request.param}


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
def test_backend_name(backend):  # passes (x2)
    assert backend["name"] in {"sqlite", "postgres"}


@pytest.fixture
def tuning():
    return {"pool": 5}


@pytest.fixture(scope="module")
def tuned_backend(request, tuning):  # module -> function: ScopeMismatch
    return {"name": request.param, **tuning}


@pytest.mark.parametrize("tuned_backend", ["sqlite", "postgres"], indirect=["tuned_backend"])
def test_tuned_backend(tuned_backend):  # ERROR (x2)
    assert tuned_backend["pool"] == 5
