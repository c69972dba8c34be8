"""Wide fixtures requesting builtins that are fine at that scope.

``request`` adapts to the requester's scope, ``pytestconfig`` and
``tmp_path_factory`` are session-scoped. pytest: all pass.
"""

import pytest


@pytest.fixture(scope="session")
def run_options(request, pytestconfig):  # session -> request, session -> session
    return {"rootdir": str(pytestconfig.rootpath), "scope": request.scope}


@pytest.fixture(scope="module")
def module_name(request):  # module -> request
    return request.module.__name__


def test_run_options(run_options):
    assert run_options["scope"] == "session"


def test_module_name(module_name):
    assert module_name.endswith("test_ok_session_builtins")
