"""autouse fixtures at conftest (root), module and class level."""

import pytest

from helpers.state import EVENTS


@pytest.fixture(autouse=True)
def module_autouse():
    EVENTS.append("module-autouse")


class TestWithClassAutouse:
    @pytest.fixture(autouse=True)
    def class_autouse(self):
        EVENTS.append("class-autouse")

    def test_sees_all_three(self):
        assert EVENTS == ["root-autouse", "module-autouse", "class-autouse"]


class TestWithoutClassAutouse:
    def test_sees_root_and_module(self):
        assert EVENTS == ["root-autouse", "module-autouse"]


def test_module_function_sees_root_and_module():
    assert "class-autouse" not in EVENTS
    assert EVENTS == ["root-autouse", "module-autouse"]
