"""What pytest itself says before and after a migration: the node ids it collects, those
``-m <marker>`` selects, and with ``--run`` each test's outcome; and the differences
between the two, through the plan's node-id mapping.

pytest runs in the suite's interpreter through the driver (:mod:`auditor.dynamic.runner`),
in the rootdir, with its own default selection (``testpaths`` and the rest).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from auditor.dynamic.runner.driver import PytestDriver, RunFailed
from auditor.migrate.layout import moved_nodeid
from auditor.migrate.plan_file import Plan


class VerifyError(RuntimeError):
    """pytest could not collect or run the suite."""


@contextmanager
def no_bytecode() -> Iterator[None]:
    """pytest writes no ``__pycache__`` into the user's folders meanwhile."""
    old = os.environ.get("PYTHONDONTWRITEBYTECODE")
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        else:
            os.environ["PYTHONDONTWRITEBYTECODE"] = old


@dataclass
class Runner:
    rootdir: Path
    python: str | None = None
    timeout: float | None = None

    def _driver(self, arguments: Sequence[str]) -> PytestDriver:
        driver = PytestDriver(self.rootdir, pytest_args=list(arguments), probes="none")
        if self.python:
            driver.python = self.python
        driver.timeout = self.timeout
        return driver

    def collect(self, *arguments: str, label: str) -> tuple[list[str], list[str]]:
        """Node ids pytest collects with ``arguments`` (none selected: []), and its
        collection errors; :class:`VerifyError` when pytest cannot collect."""
        try:
            with no_bytecode():
                run = self._driver(["--collect-only", *arguments]).run(None, label=label)
        except RunFailed as exc:
            if "(no tests collected)" in str(exc):
                return [], []
            raise VerifyError(str(exc)) from exc
        errors = [f"{nodeid}: {line}" for nodeid, line in run.session.collection_errors]
        return list(run.session.items or []), errors

    def outcomes(self, label: str) -> dict[str, str]:
        try:
            with no_bytecode():
                run = self._driver([]).run(None, label=label)
        except RunFailed as exc:
            raise VerifyError(str(exc)) from exc
        found = {record.nodeid: record.outcome for record in run.records}
        for crash in run.crashes:
            if crash.nodeid:
                found[crash.nodeid] = "crashed"
        for nodeid in run.not_run:
            found.setdefault(nodeid, "not run")
        return found


@dataclass
class Snapshot:
    """The suite as pytest saw it on one side of the change."""

    ids: list[str]
    errors: list[str]
    selected: dict[str, list[str]] = field(default_factory=dict)
    """Marker -> node ids ``-m marker`` selects."""
    strict: bool = True
    """``--strict-markers`` works on this suite (it already registers every mark it uses)."""
    outcomes: dict[str, str] | None = None


def markers_of(plan: Plan) -> list[str]:
    return sorted({op.marker for op in plan.applied if op.kind == "mark"})


def before(runner: Runner, plan: Plan, *, run: bool) -> Snapshot:
    ids, errors = runner.collect(label="collection before")
    strict = True
    try:
        runner.collect("--strict-markers", label="strict markers before")
    except VerifyError:
        strict = False
    snapshot = Snapshot(ids, errors, strict=strict)
    for marker in markers_of(plan):
        snapshot.selected[marker] = runner.collect(f"-m={marker}", label=f"-m {marker} before")[0]
    if run:
        snapshot.outcomes = runner.outcomes("the suite's run before")
    return snapshot


def after(runner: Runner, plan: Plan, old: Snapshot, *, run: bool) -> Snapshot:
    ids, errors = runner.collect(label="collection after")
    snapshot = Snapshot(ids, errors, strict=old.strict)
    strict = ("--strict-markers",) if old.strict else ()
    for marker in markers_of(plan):
        selected = runner.collect(*strict, f"-m={marker}", label=f"-m {marker} after")[0]
        snapshot.selected[marker] = selected
    if run:
        snapshot.outcomes = runner.outcomes("the suite's run after")
    return snapshot


def _folded(nodeid: str) -> str:
    return nodeid.partition("[")[0]


def _listed(what: str, items: Iterable[str], limit: int = 10) -> list[str]:
    items = sorted(items)
    shown = [f"{what}: {item}" for item in items[:limit]]
    if len(items) > limit:
        shown.append(f"{what}: ... and {len(items) - limit} more")
    return shown


def differences(plan: Plan, old: Snapshot, new: Snapshot) -> list[str]:
    """Every way the suite after the change is not the suite before, mapped by the plan."""
    moves = plan.moves()
    found: list[str] = []
    expected = Counter(moved_nodeid(nodeid, moves) for nodeid in old.ids)
    actual = Counter(new.ids)
    found += _listed("lost (expected, not collected)", (expected - actual).elements())
    found += _listed("new (collected, not expected)", (actual - expected).elements())
    old_errors = {moved_nodeid(e, moves) for e in old.errors}
    found += _listed("collection error", set(new.errors) - old_errors)
    for marker in markers_of(plan):
        planned = {
            moved_nodeid(t, moves)
            for op in plan.applied
            if op.kind == "mark" and op.marker == marker
            for t in op.tests
        }
        wanted = planned | {_folded(moved_nodeid(n, moves)) for n in old.selected[marker]}
        got = {_folded(n) for n in new.selected[marker]}
        flag = "--strict-markers -m" if new.strict else "-m"
        found += _listed(f"`{flag} {marker}` does not select", wanted - got)
        found += _listed(f"`{flag} {marker}` also selects", got - wanted)
    if old.outcomes is not None and new.outcomes is not None:
        changed = []
        for nodeid, outcome in old.outcomes.items():
            now = new.outcomes.get(moved_nodeid(nodeid, moves), "not run")
            if now != outcome:
                changed.append(f"{nodeid}: {outcome} before, {now} after")
        found += _listed("outcome changed", changed)
    return found
