"""Session and module fixtures using ``tmp_path_factory`` (session scope).

pytest: passes (session -> session, module -> session).
"""

import pytest


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("data")
    (path / "seed.json").write_text('{"users": 3}')
    return path


@pytest.fixture(scope="module")
def module_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("module")


def test_seed_file_exists(data_dir):  # passes
    assert (data_dir / "seed.json").read_text() == '{"users": 3}'


def test_module_dir_is_empty(module_dir):  # passes
    assert list(module_dir.iterdir()) == []
