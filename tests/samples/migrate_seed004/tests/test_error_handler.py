"""error handler (unit)."""

from medapp.core import InvalidProject, NotFound, error_response


def test_not_found_is_404():
    assert error_response(NotFound("x"))[0] == 404


def test_invalid_is_400():
    status, body = error_response(InvalidProject("bad"))
    assert (status, body["error"]) == (400, "invalid_project")
