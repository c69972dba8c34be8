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

    def outcomes(self, label: str, order: Sequence[str] | None = None) -> Outcomes:
        """Each test's outcome in a run of ``order`` (None: the whole suite in pytest's
        order), and the order the tests ran in."""
        try:
            with no_bytecode():
                run = self._driver([]).run(order, label=label)
        except RunFailed as exc:
            raise VerifyError(str(exc)) from exc
        found = {record.nodeid: record.outcome for record in run.records}
        for crash in run.crashes:
            if crash.nodeid:
                found[crash.nodeid] = "crashed"
        for nodeid in run.not_run:
            found.setdefault(nodeid, "not run")
        return Outcomes(found, [record.nodeid for record in run.records])

    def alone(self, nodeid: str, label: str) -> str:
        """The outcome of ``nodeid`` run alone, in a pytest process of its own."""
        try:
            return self.outcomes(label, [nodeid]).by_test.get(nodeid, "not run")
        except VerifyError:
            return "not run"


@dataclass
class Outcomes:
    by_test: dict[str, str]
    order: list[str]
    """Node ids in the order they ran."""


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
    order: list[str] = field(default_factory=list)
    """With ``--run``: the node ids in the order they ran."""
    order_dependent: set[str] = field(default_factory=set)
    """Node ids (after the change) whose outcome changed with the order only: the same
    outcome alone before and after (:mod:`auditor.migrate.exposed`)."""


def markers_of(plan: Plan) -> list[str]:
    """The markers the plan writes (marks and the parts of splits)."""
    return plan.markers()


def marked(plan: Plan, marker: str) -> set[str]:
    """The node ids (after the plan) that the plan marks with ``marker``."""
    found = {
        plan.new_nodeid(t)
        for op in plan.applied
        if op.kind == "mark" and op.marker == marker
        for t in op.tests
    }
    for op in plan.applied:
        if op.kind != "split":
            continue
        places = {
            target for (_, target), m in zip(op.parts, op.markers, strict=True) if m == marker
        }
        found |= {new for _, new in op.nodeids if new.partition("::")[0] in places}
    return found


def before(runner: Runner, plan: Plan, *, run: bool) -> Snapshot:
    ids, errors = runner.collect(label="collection before")
    strict = True
    try:
        runner.collect("--strict-markers", label="strict markers before")
    except VerifyError:
        strict = False
    snapshot = Snapshot(ids, errors, strict=strict)
    for marker in markers_of(plan):
        snapshot.selected[marker] = _selected_before(runner, marker)
    if run:
        ran = runner.outcomes("the suite's run before")
        snapshot.outcomes, snapshot.order = ran.by_test, ran.order
    return snapshot


UNKNOWN_MARKER = "Unknown marker(s) in '-m' expression"
"""pytest 9's usage error for ``-m`` naming an unregistered marker under strict markers."""


def _selected_before(runner: Runner, marker: str) -> list[str]:
    """The node ids ``-m marker`` selects before the change. A marker the plan is about
    to register is unknown to pytest 9 under strict markers, which refuses the ``-m``:
    no test can carry it then (an unregistered mark is a collection error there)."""
    try:
        return runner.collect(f"-m={marker}", label=f"-m {marker} before")[0]
    except VerifyError as exc:
        if UNKNOWN_MARKER in str(exc):
            return []
        raise


def after(runner: Runner, plan: Plan, old: Snapshot, *, run: bool) -> Snapshot:
    ids, errors = runner.collect(label="collection after")
    snapshot = Snapshot(ids, errors, strict=old.strict)
    strict = ("--strict-markers",) if old.strict else ()
    for marker in markers_of(plan):
        selected = runner.collect(*strict, f"-m={marker}", label=f"-m {marker} after")[0]
        snapshot.selected[marker] = selected
    if run:
        ran = runner.outcomes("the suite's run after")
        snapshot.outcomes, snapshot.order = ran.by_test, ran.order
    return snapshot


def _folded(nodeid: str) -> str:
    return nodeid.partition("[")[0]


def _listed(what: str, items: Iterable[str], limit: int = 10) -> list[str]:
    items = sorted(items)
    shown = [f"{what}: {item}" for item in items[:limit]]
    if len(items) > limit:
        shown.append(f"{what}: ... and {len(items) - limit} more")
    return shown


@dataclass(frozen=True, slots=True)
class OutcomeChange:
    old: str
    """The node id before the change."""
    new: str
    """Its node id after the change."""
    before: str
    after: str


def outcome_changes(plan: Plan, old: Snapshot, new: Snapshot) -> list[OutcomeChange]:
    """The tests whose outcome in the whole run differs after the change."""
    if old.outcomes is None or new.outcomes is None:
        return []
    changed = []
    for nodeid, outcome in old.outcomes.items():
        moved = plan.new_nodeid(nodeid)
        now = new.outcomes.get(moved, "not run")
        if now != outcome:
            changed.append(OutcomeChange(nodeid, moved, outcome, now))
    return changed


def differences(plan: Plan, old: Snapshot, new: Snapshot) -> list[str]:
    """Every way the suite after the change is not the suite before, mapped by the plan
    (outcome changes of the tests found order-dependent apart)."""
    found = structural_differences(plan, old, new)
    changed = [
        f"{c.old}: {c.before} before, {c.after} after"
        for c in outcome_changes(plan, old, new)
        if c.new not in new.order_dependent
    ]
    return found + _listed("outcome changed", changed)


def structural_differences(plan: Plan, old: Snapshot, new: Snapshot) -> list[str]:
    """The differences in what pytest collects and selects (not in outcomes)."""
    moved = plan.new_nodeid
    found: list[str] = []
    expected = Counter(moved(nodeid) for nodeid in old.ids)
    actual = Counter(new.ids)
    found += _listed("lost (expected, not collected)", (expected - actual).elements())
    found += _listed("new (collected, not expected)", (actual - expected).elements())
    old_errors = {moved(e) for e in old.errors}
    found += _listed("collection error", set(new.errors) - old_errors)
    # `-m` is compared among the tests pytest collected before the change: what the
    # static model planned that pytest never collected here (tests defined in the branch
    # of an `if` this environment does not take) cannot be selected, and what `addopts`
    # deselects (sympy's `-m 'not slow'`) comes back under `-m unit`, which replaces it.
    collected = {_folded(moved(nodeid)) for nodeid in old.ids}
    for marker in markers_of(plan):
        planned = marked(plan, marker)
        wanted = (planned | {_folded(moved(n)) for n in old.selected[marker]}) & collected
        got = {_folded(n) for n in new.selected[marker]} & collected
        flag = "--strict-markers -m" if new.strict else "-m"
        found += _listed(f"`{flag} {marker}` does not select", wanted - got)
        found += _listed(f"`{flag} {marker}` also selects", got - wanted)
    return found
