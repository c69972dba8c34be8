"""Who failed where, and which earlier tests' leaked state could explain it.

The hunt's runs give, for each test that failed somewhere, one or more failing executions.
A :class:`Suspect` is the one with the fewest tests before it (the single polluter of a
victim ran before it in every run where it failed, so the shortest prefix holds the fewest
innocent tests), with the names its code used in any of them.

:func:`ranked` orders the tests of a prefix by how strongly the suspect reads what they
leaked (:mod:`auditor.dynamic.runner.matching`), then by how near they sit to the suspect in the
default order: tests that share state tend to live in the same module or next to each other.
What the default order showed (:class:`Baseline`) also rules out state: a candidate that ran
before the victim there, where the victim passed, with no test changing that state in between,
left state the victim survived.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from auditor.dynamic.probes import Change
from auditor.dynamic.runner.driver import Run
from auditor.dynamic.runner.matching import Match, score

Where = tuple[str, str]


@dataclass
class Suspect:
    """A test that failed in some run, with what ran before it and what that left behind."""

    nodeid: str
    prefix: list[str]
    failure: str
    label: str
    leaked: dict[str, tuple[Change, ...]]
    touched: list[str] = field(default_factory=list)
    """The names its code used in the runs where it failed (rounds record them)."""
    words: set[str] = field(default_factory=set)
    """The names its code used, and its failure's words."""


@dataclass(frozen=True)
class Candidate:
    nodeid: str
    match: Match


@dataclass
class Baseline:
    """What the default order showed: its order, outcomes and who changed which state."""

    tests: list[str] = field(default_factory=list)
    leaked: dict[str, tuple[Change, ...]] = field(default_factory=dict)
    outcomes: dict[str, str] = field(default_factory=dict)
    changed_at: dict[Where, list[int]] = field(default_factory=dict)
    """Positions in the default order of the tests that changed each piece of state."""
    common: frozenset[Where] = frozenset()
    position: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, run: Run, common_share: float, common_at_least: int) -> Baseline:
        tests = list(dict.fromkeys(record.nodeid for record in run.records))
        position = {nodeid: index for index, nodeid in enumerate(tests)}
        leaked = {r.nodeid: tuple(r.leaked) for r in run.records if r.leaked}
        changed_at: dict[Where, list[int]] = {}
        for nodeid, changes in leaked.items():
            for where in dict.fromkeys(change.where for change in changes):
                changed_at.setdefault(where, []).append(position[nodeid])
        limit = max(common_at_least, common_share * len(tests))
        common = frozenset(where for where, at in changed_at.items() if len(at) > limit)
        outcomes = {record.nodeid: record.outcome for record in run.records}
        return cls(tests, leaked, outcomes, changed_at, common, position)

    def harmless(self, candidate: str, victim: str, change: Change) -> bool:
        """``victim`` passed in the default order after ``candidate`` left ``change`` and no
        test in between touched that state: the victim survives it."""
        start, end = self.position.get(candidate), self.position.get(victim)
        if start is None or end is None or start > end:
            return False
        if self.outcomes.get(victim) != "passed":
            return False
        return not any(start < at < end for at in self.changed_at.get(change.where, ()))

    def spread(self, candidate: str, victim: str) -> int:
        """How far apart two tests are in the default order."""
        start, end = self.position.get(candidate), self.position.get(victim)
        if start is None or end is None:
            return len(self.tests)
        return abs(start - end)

    def rarity(self, change: Change) -> int:
        """How many tests changed this state in the default order (fewer: rarer)."""
        return len(self.changed_at.get(change.where, ()))

    def rare(self, changes: Iterable[Change]) -> list[Change]:
        """``changes`` less those to common state (noise: a counter most tests bump)."""
        return [change for change in changes if change.where not in self.common]


def suspects(runs: Iterable[Run], baseline: Baseline) -> list[Suspect]:
    """One suspect per test that failed in any of ``runs``, in order of first failure."""
    found: dict[str, Suspect] = {}
    for run in runs:
        executed = [record.nodeid for record in run.records]
        run_leaked = {r.nodeid: tuple(r.leaked) for r in run.records if r.leaked}
        for position, record in enumerate(run.records):
            if not record.failed:
                continue
            known = found.get(record.nodeid)
            if known is not None and len(known.prefix) <= position:
                known.touched = _union(known.touched, record.touched)
                continue
            prefix = executed[:position]
            leaked = _leaked_before(prefix, run_leaked, baseline.leaked)
            suspect = Suspect(record.nodeid, prefix, record.failure, run.label, leaked)
            suspect.touched = _union(known.touched if known else [], record.touched)
            found[record.nodeid] = suspect
    return list(found.values())


def _union(first: Sequence[str], second: Sequence[str]) -> list[str]:
    return list(dict.fromkeys([*first, *second]))


def _leaked_before(
    prefix: Sequence[str],
    in_run: Mapping[str, tuple[Change, ...]],
    by_default: Mapping[str, tuple[Change, ...]],
) -> dict[str, tuple[Change, ...]]:
    """What each test of ``prefix`` left behind, in that run and in the default order."""
    return {
        nodeid: tuple(dict.fromkeys((*in_run.get(nodeid, ()), *by_default.get(nodeid, ()))))
        for nodeid in prefix
        if nodeid in in_run or nodeid in by_default
    }


def ranked(
    prefix: Sequence[str],
    leaked: Mapping[str, Sequence[Change]],
    words: set[str],
    baseline: Baseline,
    victim: str,
    *,
    limit: int,
    survived: bool = True,
) -> list[Candidate]:
    """The tests of ``prefix`` whose leaked state a test using ``words`` reads: the best
    ``limit`` by score, then nearest to ``victim`` in the default order, then nearest to
    the end of the prefix. ``survived``: leave out state the default order showed the
    victim passes with, and common state (a counter most tests bump changes before every
    failure and explains none; a victim of it is found by search), not for state-setters,
    which the victim needs."""
    entries: list[tuple[int, int, int, Candidate]] = []
    for distance, candidate in enumerate(reversed(prefix)):
        changes = list(leaked.get(candidate, ()))
        if survived:
            changes = [
                change
                for change in baseline.rare(changes)
                if not baseline.harmless(candidate, victim, change)
            ]
        match = score(changes, words, baseline.common)
        if match:
            ordered = sorted(match.changes, key=baseline.rarity)
            match = Match(match.strength, match.named, tuple(ordered))
            spread = baseline.spread(candidate, victim)
            entries.append((-match.strength, spread, distance, Candidate(candidate, match)))
    entries.sort(key=lambda entry: entry[:3])
    return [entry[3] for entry in entries[:limit]]


def possible_setters(runs: Iterable[Run], nodeid: str) -> set[str]:
    """The tests that ran before ``nodeid`` in every run where it passed and in none where
    it failed: the only ones whose state alone can be what it needs to pass."""
    possible: set[str] | None = None
    excluded: set[str] = set()
    for run in runs:
        before: list[str] = []
        for record in run.records:
            if record.nodeid == nodeid and record.outcome == "passed":
                possible = set(before) if possible is None else possible & set(before)
            elif record.nodeid == nodeid and record.failed:
                excluded.update(before)
            before.append(record.nodeid)
    return (possible or set()) - excluded
