"""``usefixtures`` at module (pytestmark), class and function level.

The fixtures return nothing useful; they only record that they ran.
"""

import pytest

from helpers.state import EVENTS

pytestmark = [pytest.mark.usefixtures("module_marked"), pytest.mark.smoke]


@pytest.fixture
def module_marked():
    EVENTS.append("module-usefixtures")


@pytest.fixture
def class_marked():
    EVENTS.append("class-usefixtures")


@pytest.fixture
def function_marked():
    EVENTS.append("function-usefixtures")


def test_module_level_only():
    assert EVENTS == ["root-autouse", "module-usefixtures"]


@pytest.mark.usefixtures("function_marked")
def test_module_and_function_level():
    assert set(EVENTS) == {"root-autouse", "module-usefixtures", "function-usefixtures"}


@pytest.mark.usefixtures("class_marked")
class TestClassLevel:
    def test_class_level(self):
        assert "class-usefixtures" in EVENTS
        assert "module-usefixtures" in EVENTS

    @pytest.mark.usefixtures("function_marked", "plugin_cart")
    def test_all_three_levels(self):
        assert {"module-usefixtures", "class-usefixtures", "function-usefixtures"} <= set(EVENTS)
