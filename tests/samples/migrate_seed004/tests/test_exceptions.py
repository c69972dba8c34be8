"""exceptions (unit)."""

from medapp.core import InvalidProject, NotFound, RegulatoryError


def test_not_found_is_regulatory():
    assert issubclass(NotFound, RegulatoryError)


def test_codes_differ():
    assert NotFound.code != InvalidProject.code
