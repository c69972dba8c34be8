"""``indirect=True`` and ``indirect=["x"]``."""

import pytest


@pytest.fixture
def user(request):
    return {"name": request.param, "admin": request.param == "root"}


@pytest.fixture
def quota(request):
    return getattr(request, "param", 5) * 10


@pytest.mark.parametrize("user", ["alice", "root"], indirect=True)
def test_indirect_true(user):
    assert user["admin"] is (user["name"] == "root")


@pytest.mark.parametrize(("user", "expected_admin"), [("bob", False), ("root", True)], indirect=["user"])
def test_indirect_list(user, expected_admin):
    # ``user`` goes through the fixture, ``expected_admin`` is a plain parameter
    assert user["admin"] is expected_admin


@pytest.mark.parametrize("quota", [1, 3], indirect=True)
def test_indirect_with_default(quota):
    assert quota in (10, 30)


def test_fixture_default_param(quota):
    assert quota == 50
