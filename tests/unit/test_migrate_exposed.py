"""`migrate apply --run`: which changed outcomes the new order exposed (the same outcome
alone before and after the change), without pytest: the runs alone are given."""

from __future__ import annotations

from pathlib import Path

from auditor.migrate.exposed import MAX_CHECKED, Check, check_alone
from auditor.migrate.verify import OutcomeChange, Runner


class Alone(Runner):
    """Outcomes of tests run alone, before the change (old ids) and after (new ids)."""

    def __init__(self, outcomes: dict[str, str]) -> None:
        super().__init__(Path("."))
        self.given = outcomes
        self.ran: list[str] = []

    def alone(self, nodeid: str, label: str) -> str:
        self.ran.append(nodeid)
        return self.given[nodeid]


CHANGE = OutcomeChange(
    "tests/test_a.py::test_a", "tests/unit/test_a.py::test_a", "passed", "failed"
)
ORDER = ["tests/integration/test_z.py::test_z", "tests/unit/test_a.py::test_a"]


def check(
    runner: Runner, changes: list[OutcomeChange], undone: bool = True
) -> tuple[Check, list[str]]:
    steps: list[str] = []

    def undo() -> bool:
        steps.append("undo")
        return undone

    def redo() -> bool:
        steps.append("redo")
        return True

    found = check_alone(runner, changes, ORDER, undo=undo, redo=redo, say=lambda _t: None)
    return found, steps


def test_the_same_outcome_alone_on_both_sides_is_exposed_and_the_change_written_again() -> None:
    runner = Alone({CHANGE.new: "passed", CHANGE.old: "passed"})
    found, steps = check(runner, [CHANGE])
    assert steps == ["undo", "redo"]
    assert not found.rolled_back
    (exposed,) = found.exposed
    assert exposed.ran_before == ("tests/integration/test_z.py::test_z",)
    assert "passed alone before and after: exposed by the new order" in exposed.describe()
    assert "ran after tests/integration/test_z.py::test_z" in exposed.describe()


def test_an_outcome_that_changes_alone_too_stays_rolled_back() -> None:
    runner = Alone({CHANGE.new: "failed", CHANGE.old: "passed"})
    found, steps = check(runner, [CHANGE])
    assert steps == ["undo"]
    assert found.rolled_back
    assert not found.exposed


def test_a_failed_undo_stops_the_check() -> None:
    runner = Alone({CHANGE.new: "passed", CHANGE.old: "passed"})
    found, steps = check(runner, [CHANGE], undone=False)
    assert steps == ["undo"]
    assert found.rolled_back
    assert runner.ran == [CHANGE.new]


def test_too_many_changes_are_not_checked_one_by_one() -> None:
    runner = Alone({})
    found, steps = check(runner, [CHANGE] * (MAX_CHECKED + 1))
    assert (steps, runner.ran, found.rolled_back) == ([], [], False)
