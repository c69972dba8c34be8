"""Fixtures requesting fixtures of the same scope. pytest: all pass."""

import pytest


@pytest.fixture(scope="module")
def module_a():
    return "a"


@pytest.fixture(scope="module")
def module_b(module_a):  # module -> module
    return module_a + "b"


@pytest.fixture(scope="class")
def class_a():
    return ["class"]


@pytest.fixture(scope="class")
def class_b(class_a):  # class -> class
    return class_a + ["b"]


@pytest.fixture
def func_a():
    return 1


@pytest.fixture
def func_b(func_a, monkeypatch, tmp_path, capsys, request):  # function -> function builtins
    return func_a + 1


def test_module_chain(module_b):
    assert module_b == "ab"


def test_function_chain(func_b):
    assert func_b == 2


class TestClassChain:
    def test_class_chain(self, class_b):
        assert class_b == ["class", "b"]
