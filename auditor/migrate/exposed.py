"""Outcome changes the new order exposed rather than the migration caused.

Moving files changes the order in which pytest runs them. A test whose outcome in the
whole run changed, but which has the same outcome run alone (in a pytest process of its
own) in the tree after the change and in the tree before it, depends on the order: the
migration did not break it. It is reported as exposed by the new order, with the tests
that ran before it, and `test-auditor leaks` is the command that finds its polluter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from auditor.migrate.verify import OutcomeChange, Runner

MAX_CHECKED = 25
"""More changed outcomes than this are not checked one by one (two runs each)."""
SHOWN_BEFORE = 5
"""How many of the tests that ran before an exposed test are named (the nearest)."""


@dataclass(frozen=True, slots=True)
class Exposed:
    """A test whose outcome changed with the order only."""

    change: OutcomeChange
    alone: str
    """Its outcome alone, before and after the change."""
    ran_before: tuple[str, ...]
    """The tests that ran before it in the whole run after the change, in order."""

    def describe(self) -> str:
        c = self.change
        shown = ", ".join(self.ran_before[-SHOWN_BEFORE:]) or "none"
        more = len(self.ran_before) - SHOWN_BEFORE
        earlier = f" (and {more} earlier)" if more > 0 else ""
        return (
            f"{c.new}: {c.before} before, {c.after} after in the whole run, {self.alone} alone "
            f"before and after: exposed by the new order; ran after {shown}{earlier}; "
            "`test-auditor leaks` finds what it depends on"
        )


@dataclass
class Check:
    """What running the changed tests alone found."""

    exposed: list[Exposed]
    rolled_back: bool
    """The change was undone to run the tests alone before it, and not written again."""


def check_alone(
    runner: Runner,
    changes: Sequence[OutcomeChange],
    order_after: Sequence[str],
    *,
    undo: Callable[[], bool],
    redo: Callable[[], bool],
    say: Callable[[str], None],
) -> Check:
    """Run each changed test alone after the change, then (``undo``: the tree put back;
    False when it could not be) alone before it; when every change is order-dependent,
    ``redo`` writes the change again (False when the tree is then not as verified)."""
    if not changes or len(changes) > MAX_CHECKED:
        return Check([], rolled_back=False)
    say(f"{len(changes)} outcomes changed: running each test alone after the change")
    after = {c.new: runner.alone(c.new, f"{c.new} alone after") for c in changes}
    say("putting the files back to run the same tests alone before the change")
    if not undo():
        return Check([], rolled_back=True)
    before = {c.old: runner.alone(c.old, f"{c.old} alone before") for c in changes}
    position = {nodeid: index for index, nodeid in enumerate(order_after)}
    exposed = [
        Exposed(c, after[c.new], tuple(order_after[: position.get(c.new, 0)]))
        for c in changes
        if before[c.old] == after[c.new] and after[c.new] != "not run"
    ]
    if len(exposed) < len(changes):
        return Check(exposed, rolled_back=True)
    say("every changed outcome depends on the order: writing the change again")
    return Check(exposed, rolled_back=not redo())
