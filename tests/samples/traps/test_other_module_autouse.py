"""A module-level autouse fixture of another module does not apply here."""

from helpers.state import EVENTS


def test_only_root_autouse():
    assert EVENTS == ["root-autouse"]
