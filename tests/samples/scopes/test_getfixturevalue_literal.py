"""A module-scoped fixture calls ``request.getfixturevalue("...")`` with a
literal name of a function-scoped fixture.

The dependency is invisible in the signature. pytest: ERROR (ScopeMismatch)
for test_report_header, raised when getfixturevalue runs.
``session_label`` does the same with a session fixture and passes.
"""

import pytest


@pytest.fixture
def current_user():
    return "alice"


@pytest.fixture(scope="session")
def environment_name():
    return "test"


@pytest.fixture(scope="module")
def report_header(request):
    user = request.getfixturevalue("current_user")  # module -> function: ScopeMismatch
    return f"report for {user}"


@pytest.fixture(scope="module")
def session_label(request):
    return request.getfixturevalue("environment_name")  # module -> session: fine


def test_report_header(report_header):  # ERROR
    assert report_header == "report for alice"


def test_session_label(session_label):  # passes
    assert session_label == "test"
