"""Arguments with default values are not fixtures; keyword-only arguments
without defaults are."""

import pytest


@pytest.fixture
def connection(tmp_path, timeout=5):
    return {"path": tmp_path, "timeout": timeout}


def test_defaults_are_not_fixtures(tmp_path, retries=3, label="fast"):
    assert (retries, label) == (3, "fast")


def test_fixture_default_argument(connection):
    assert connection["timeout"] == 5


def test_keyword_only_is_a_fixture(*, connection):
    assert connection["path"].exists()


def test_varargs_are_ignored(connection, *args, **kwargs):
    assert args == () and kwargs == {}
