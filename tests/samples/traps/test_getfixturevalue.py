"""``request.getfixturevalue``: a literal name (statically knowable) and a
computed one (not statically knowable)."""

import pytest


@pytest.fixture
def eur_rate():
    return 0.92


@pytest.fixture
def gbp_rate():
    return 0.79


def test_literal_name(request):
    assert request.getfixturevalue("eur_rate") == 0.92


@pytest.mark.parametrize("currency", ["eur", "gbp"])
def test_computed_name(request, currency):
    name = f"{currency}_rate"
    assert 0 < request.getfixturevalue(name) < 1


def test_name_from_variable(request):
    names = ["eur_rate", "gbp_rate"]
    values = [request.getfixturevalue(n) for n in names]
    assert values == [0.92, 0.79]
