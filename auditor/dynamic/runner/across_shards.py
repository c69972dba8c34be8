"""`test-auditor leaks merge --across-shards`: the pairs a shard boundary hid, found with one
more run of the suite after the shards' reports are merged.

A shard's hunt only sees pollution between its own modules. The merged report knows, from
every shard, which tests left state behind (``state_left_behind``); a polluter in one shard
of a victim in another is one of those. So one order finds them, built by
:func:`auditor.dynamic.runner.orders.targeted` from the merged state: the tests that undo
state first, then every shard's leakers, then the tests of the other shards (a test whose
shard holds every leaker met them all in its own hunt and is left out). Tests the shards
already explained are left out too: a victim (of a polluter of its own shard, which would
fail it again), a flaky test, a test that crashed pytest; unless they leak state themselves.

The order runs as the "default order" of the hunt itself (:func:`auditor.dynamic.runner.
hunt.hunt` with no further rounds, through a driver that runs this order for it), with
state probes and the names failing tests use recorded: each failure is then explained by
the hunt's own investigation (pairs tried by the state the victim reads, lone runs, group
testing, brittle and flaky tests told apart, cleaners), and what it confirms is added to
the merged report. A test that failed in every order of its shard and alone, and passes in
this order, needs a test of another shard: it is brittle (its setter is not searched for).

Before the run, pytest collects the suite once (no test runs) to know every test and, with
the shards' seed and count, which shard each belongs to (:func:`auditor.dynamic.shards.
assign`, as the plugin split it on each machine).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from auditor.config import Config
from auditor.dynamic.runner import orders
from auditor.dynamic.runner.driver import Run, RunFailed
from auditor.dynamic.runner.endings import Crash
from auditor.dynamic.runner.hunt import TRACE_ROUNDS_UP_TO, Driver, Settings, hunt
from auditor.dynamic.runner.leaks import LeaksError, LeaksOptions, make_driver
from auditor.dynamic.runner.merge import Merged
from auditor.dynamic.runner.result import Brittle, LeakReport, Pair
from auditor.dynamic.runner.worktree import WorkTreeGuard
from auditor.dynamic.shards import assign

LABEL = "across shards: every shard's leakers, then the other shards' tests"


@dataclass
class Plan:
    """The order of the pass, and which shard each test of the suite is in."""

    order: list[str]
    shard_of: dict[str, int]
    leakers: list[str]
    left_out: list[str] = field(default_factory=list)
    """Tests already explained by the shards (known victims, flaky, crashed)."""
    notes: list[str] = field(default_factory=list)


@dataclass
class Crossing:
    """What the pass ran and found (already added to the merged report)."""

    plan: Plan
    found: LeakReport | None = None
    """The pass's own report; None when there was nothing to run."""
    pairs: list[Pair] = field(default_factory=list)
    """Pairs the shards had not found (polluter and victim in different shards, mostly)."""
    brittle: list[Brittle] = field(default_factory=list)


@dataclass
class _OneOrder:
    """The hunt's driver, with its whole-suite run (the "default order") replaced by
    ``order``: probed, and with the names its failing tests use recorded when that is
    cheap (as the hunt's rounds do). Every other run goes to ``driver`` as asked."""

    driver: Driver
    order: list[str]
    trace: bool
    run_made: Run | None = None

    @property
    def executions(self) -> int:
        return self.driver.executions

    @executions.setter
    def executions(self, value: int) -> None:
        self.driver.executions = value

    @property
    def processes(self) -> int:
        return self.driver.processes

    @processes.setter
    def processes(self, value: int) -> None:
        self.driver.processes = value

    def run(
        self,
        order: Sequence[str] | None,
        *,
        label: str,
        probes: bool = False,
        touch: bool = False,
        touch_failed: bool = False,
        profile: bool = False,
        expected: int | None = None,
        watch: Sequence[str] | None = None,
    ) -> Run:
        if order is None:
            self.run_made = self.driver.run(
                self.order, label=LABEL, probes=True, touch_failed=self.trace
            )
            return self.run_made
        return self.driver.run(
            order,
            label=label,
            probes=probes,
            touch=touch,
            touch_failed=touch_failed,
            profile=profile,
            expected=expected,
            watch=watch,
        )


def options_for(
    config: Config,
    merged: Merged,
    *,
    budget: str | None = None,
    python: str | None = None,
    timeout: float | None = None,
    probes: str | None = None,
    db_url: str | None = None,
    redis_url: str | None = None,
) -> LeaksOptions:
    """The options of the pass: the shards' paths, pytest arguments and seed (from their
    rerun line), the rest as given or configured; :class:`LeaksError` when the reports do
    not say what the shards ran."""
    if merged.hunt is None:
        raise LeaksError(
            "--across-shards: the reports have no rerun command, so what the shards ran "
            "(paths, pytest arguments) is not known"
        )
    options = LeaksOptions.build(
        config,
        paths=merged.hunt.paths,
        rounds=0,
        seed=merged.report.seed,
        budget=budget,
        python=python,
        timeout=timeout,
        probes=probes,
        db_url=db_url,
        redis_url=redis_url,
    )
    options.pytest_args = list(merged.hunt.pytest_args)  # the configured ones are in them
    return options


def hunt_across_shards(config: Config, merged: Merged, options: LeaksOptions) -> Crossing:
    """Run the pass and add what it confirms to ``merged.report``; the files under the
    rootdir are put back between the runs and at the end, as `leaks` does."""
    guard = WorkTreeGuard(config.rootdir)
    try:
        collector = make_driver(
            config,
            dataclasses.replace(options, pytest_args=[*options.pytest_args, "--collect-only"]),
        )
        collector.between_runs = guard.restore
        try:
            collected = collector.run(None, label="collecting the suite").session.items or []
        except RunFailed as failed:
            raise LeaksError(str(failed)) from failed
        plan = plan_order(collected, merged)
        driver = make_driver(config, options)
        driver.between_runs = guard.restore
        try:
            crossing = search(driver, merged, plan, str(config.rootdir), options.pytest_args)
        except RunFailed as failed:
            raise LeaksError(str(failed)) from failed
        if crossing.found is not None:
            crossing.found.processes += collector.processes
    finally:
        guard.restore("the last run")
        guard.close()
    if crossing.found is not None:
        crossing.found.restored = list(guard.restored)
    add_to(merged.report, crossing)
    return crossing


def search(
    driver: Driver, merged: Merged, plan: Plan, rootdir: str, pytest_args: Sequence[str] = ()
) -> Crossing:
    """Run ``plan``'s order as the hunt's default order and explain its failures the way
    the hunt does (no further rounds); :func:`add_to` adds the result to the report."""
    crossing = Crossing(plan)
    if not plan.order:
        return crossing
    one = _OneOrder(driver, plan.order, merged.default_seconds <= TRACE_ROUNDS_UP_TO)
    settings = Settings(
        seed=merged.report.seed, rounds=0, pytest_args=pytest_args, rerun=merged.report.rerun
    )
    crossing.found = hunt(one, settings, rootdir)
    _passed_here(crossing, one.run_made, merged.report)
    return crossing


def plan_order(collected: Sequence[str], merged: Merged) -> Plan:
    """The order of the pass over the ``collected`` suite (see the module docstring)."""
    report = merged.report
    sizes = Counter(orders.module_of(nodeid) for nodeid in collected)
    owner = assign(sizes, merged.count, report.seed)
    shard_of = {nodeid: owner[orders.module_of(nodeid)] for nodeid in collected}
    present = {shard.index for shard in merged.shards}
    suite = [nodeid for nodeid in collected if shard_of[nodeid] in present]
    notes = _compare_sizes(suite, shard_of, merged)
    leaked = {nodeid: report.leaked[nodeid] for nodeid in suite if report.leaked.get(nodeid)}
    gone = [nodeid for nodeid in report.leaked if nodeid not in shard_of]
    if gone:
        notes.append(
            f"{len(gone)} tests that left state behind in the shards are not in this "
            f"checkout's collection (e.g. {gone[0]}): a different commit?"
        )
    leakers = list(leaked)
    plan = Plan([], shard_of, leakers, notes=notes)
    if not leakers:
        notes.append("no test left state behind in any shard: no pair can cross shards")
        return plan
    explained = (
        {pair.victim for pair in report.pairs}
        | {flaky.nodeid for flaky in report.flaky}
        | {crash.nodeid for crash in report.crashed}
    )
    shards_leaking = {shard_of[nodeid] for nodeid in leakers}
    crashed = _crashed(report)
    chosen = []
    for nodeid in suite:
        if nodeid in explained and (nodeid not in leaked or nodeid in crashed):
            plan.left_out.append(nodeid)
        elif nodeid in leaked or shards_leaking - {shard_of[nodeid]}:
            chosen.append(nodeid)
    plan.order = orders.targeted(chosen, leaked)
    if len(shards_leaking) < 2 and all(shard_of[n] in shards_leaking for n in chosen):
        plan.order = []
        notes.append("the leakers are all in one shard with the tests they could fail")
    return plan


def _crashed(report: LeakReport) -> set[str]:
    return {crash.nodeid for crash in report.crashed}


def _compare_sizes(suite: Sequence[str], shard_of: dict[str, int], merged: Merged) -> list[str]:
    """Notes where this checkout's shards are not the size the reports say."""
    here = Counter(shard_of[nodeid] for nodeid in suite)
    notes = []
    for index, size in sorted(merged.sizes.items()):
        if here[index] != size:
            notes.append(
                f"shard {index}/{merged.count} hunted {size} tests, this checkout collects "
                f"{here[index]} for it (other code or pytest arguments?)"
            )
    return notes


def _passed_here(crossing: Crossing, run: Run | None, report: LeakReport) -> None:
    """Tests that failed in every order of their shard and alone, and passed in this
    order: brittle, with their state-setter in another shard."""
    if run is None:
        return
    for nodeid in report.failing:
        if run.outcome(nodeid) == "passed" and nodeid not in _crashed(report):
            crossing.brittle.append(Brittle(nodeid, ()))


def add_to(report: LeakReport, crossing: Crossing) -> None:
    """Add what the pass found (and cost) to the merged ``report``."""
    plan, found = crossing.plan, crossing.found
    report.notes.extend(f"across shards: {note}" for note in plan.notes)
    if found is None:
        return
    known = {(pair.polluter, pair.victim) for pair in report.pairs}
    crossing.pairs = [pair for pair in found.pairs if (pair.polluter, pair.victim) not in known]
    report.pairs.extend(crossing.pairs)
    named = {brittle.nodeid for brittle in report.brittle}
    found_brittle = [b for b in found.brittle if b.nodeid not in named]
    named |= {brittle.nodeid for brittle in found_brittle}
    crossing.brittle = [
        *found_brittle,
        *(b for b in crossing.brittle if b.nodeid not in named),
    ]
    report.brittle.extend(crossing.brittle)
    now_brittle = {brittle.nodeid for brittle in crossing.brittle}
    report.failing = [nodeid for nodeid in report.failing if nodeid not in now_brittle]
    known_flaky = {flaky.nodeid for flaky in report.flaky}
    report.flaky.extend(f for f in found.flaky if f.nodeid not in known_flaky)
    report.failing.extend(n for n in found.failing if n not in report.failing)
    report.unresolved.extend(n for n in found.unresolved if n not in report.unresolved)
    cleaners = {(c.nodeid, c.polluter, c.victim) for c in report.cleaners}
    report.cleaners.extend(
        c for c in found.cleaners if (c.nodeid, c.polluter, c.victim) not in cleaners
    )
    crashed = {(crash.nodeid, crash.why) for crash in report.crashed}
    report.crashed.extend(
        Crash(c.nodeid, c.why, c.run_label)
        for c in found.crashed
        if (c.nodeid, c.why) not in crashed
    )
    report.not_run.extend(n for n in found.not_run if n not in report.not_run)
    errors = {nodeid for nodeid, _ in report.collection_errors}
    report.collection_errors.extend(e for e in found.collection_errors if e[0] not in errors)
    report.notes.extend(f"across shards: {note}" for note in found.notes)
    report.rounds.extend(found.rounds)
    report.runs.extend(found.runs)
    report.restored.extend(found.restored)
    report.executions += found.executions
    for phase, executions in found.spent.items():  # its own order is the pass's cost
        phase = "across shards" if phase == "default order" else phase
        report.spent[phase] = report.spent.get(phase, 0) + executions
    report.processes += found.processes
    report.seconds += found.seconds
    report.notes.append(_summary(crossing))


def _summary(crossing: Crossing) -> str:
    plan, found = crossing.plan, crossing.found
    assert found is not None
    shard_of = plan.shard_of
    across = [p for p in crossing.pairs if shard_of.get(p.polluter) != shard_of.get(p.victim)]
    pairs = ", ".join(f"{p.polluter} -> {p.victim}" for p in across) or "none"
    left = f", {len(plan.left_out)} tests the shards explained left out" if plan.left_out else ""
    others = len(crossing.pairs) - len(across)
    also = f"; {others} more within one shard" if others else ""
    count = len(crossing.brittle)
    brittle = (
        f"; {count} brittle {'test' if count == 1 else 'tests'} whose state-setter is in "
        "another shard (not searched for)"
        if count
        else ""
    )
    return (
        f"across shards: {len(plan.order)} tests in one order ({len(plan.leakers)} leakers "
        f"of every shard first{left}), {found.executions} test executions in "
        f"{found.processes} pytest runs, {found.seconds:.1f} s; pairs across shards: "
        f"{pairs}{also}{brittle}"
    )
