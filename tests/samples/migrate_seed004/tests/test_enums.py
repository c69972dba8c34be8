"""enums (unit)."""

from medapp.models import ProjectStatus


def test_values():
    assert [s.value for s in ProjectStatus] == ["draft", "submitted", "archived"]


def test_lookup():
    assert ProjectStatus("draft") is ProjectStatus.DRAFT
