"""A module-scoped fixture requests ``tmp_path`` (function scope).

pytest: ERROR (ScopeMismatch) for the test that requests ``shared_dir``.
The fix is ``tmp_path_factory`` (session scope): see test_tmp_path_factory_from_session.py.
"""

import pytest


@pytest.fixture(scope="module")
def shared_dir(tmp_path):  # module -> function (builtin): ScopeMismatch
    (tmp_path / "data.csv").write_text("id,name\n1,mug\n")
    return tmp_path


def test_reads_shared_file(shared_dir):  # ERROR
    assert (shared_dir / "data.csv").exists()
