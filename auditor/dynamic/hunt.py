"""The leak hunt: a few whole-suite runs, then the fewest executions that explain each failure.

1. The default order, with every probe on: each test's outcome and the state it left changed.
2. Rounds in other orders (``rounds`` of them): first the *targeted* order (tests that undo
   earlier state, then every test that leaked something, then the rest; so each leak meets
   every test that might read it with no cleaner between), then the reversed default order
   (which exposes tests that need an earlier test's state, and leakers that read a later
   leaker's state), then seeded shuffles by module, class and test. Every round is probed:
   a victim's candidates are what the tests before it left behind in that very run (and in
   the default order).
3. Each test that failed somewhere is run alone, recording the names its code uses:

   * it passes alone: a victim. The tests before it in the failing order that leaked state it
     reads are tried first, each as a pair ``[polluter, victim]`` (2 executions); when none
     reproduces the failure, it runs alone a few more times (a flaky test shows here, cheaply),
     then group testing over the failing prefix (the leakers first) finds the polluter,
     confirmed twice (once with probes on, to name the state). A failure that does not come
     back in the very same order makes the test *flaky*, never order-dependent;
   * it fails alone, and again: *brittle* when it passed in some order (its state-setter is
     found the same way, as a pair that makes it pass), or *failing* everywhere;
   * it fails alone once and then passes: *flaky*.
4. For each pair, a test that undid the polluter's state in the default order is tried
   between the two: if the victim passes, it is a *cleaner*.
"""

from __future__ import annotations

import shlex
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

from auditor.dynamic import orders
from auditor.dynamic.driver import BudgetExhausted, Run
from auditor.dynamic.matching import score, words_of_test
from auditor.dynamic.probes import Change
from auditor.dynamic.result import Brittle, Cleaner, Flaky, LeakReport, Pair, Round

MAX_STATE_CANDIDATES = 3
MAX_POLLUTERS = 3
ALONE_RERUNS = 3
BRITTLE_ALONE = 4
"""Lone failures, each in its own process, before a test counts as needing another's state."""
"""Lone runs of a victim no leaked state explains, each in its own process, before searching."""


class Driver(Protocol):
    executions: int
    processes: int

    def run(
        self,
        order: Sequence[str] | None,
        *,
        label: str,
        probes: bool = False,
        touch: bool = False,
        profile: bool = False,
        expected: int | None = None,
    ) -> Run: ...


@dataclass
class Settings:
    seed: int
    rounds: int = 2
    pytest_args: Sequence[str] = ()
    rerun: str = ""
    jobs: int = 1
    """Rounds run in parallel processes."""


@dataclass
class _Suspect:
    """A test that failed in some run, with what ran before it and what that left behind."""

    nodeid: str
    prefix: list[str]
    failure: str
    label: str
    leaked: dict[str, tuple[Change, ...]]
    words: set[str] = field(default_factory=set)
    """The names the test's code used when it ran alone, and its failure's words."""


@dataclass
class _Hunt:
    driver: Driver
    settings: Settings
    report: LeakReport
    tests: list[str] = field(default_factory=list)
    leaked: dict[str, tuple[Change, ...]] = field(default_factory=dict)
    runs: dict[str, list[bool]] = field(default_factory=dict)
    """nodeid -> failed? per execution, across every run."""
    passed_somewhere: set[str] = field(default_factory=set)

    # -- running -----------------------------------------------------------------------
    def run(self, order: Sequence[str] | None, label: str, **options: bool) -> Run:
        run = self.note(self.driver.run(order, label=label, **options))
        self.report.runs.append((label, len(run.records)))
        return run

    def note(self, run: Run) -> Run:
        """Keep each execution's outcome (for failure rates and "passed somewhere")."""
        for record in run.records:
            self.runs.setdefault(record.nodeid, []).append(record.failed)
            if record.outcome == "passed":
                self.passed_somewhere.add(record.nodeid)
        return run

    def fails(self, prefix: Sequence[str], nodeid: str, label: str) -> bool:
        """Does ``nodeid`` fail when ``prefix`` runs right before it?"""
        run = self.run([*prefix, nodeid], label)
        return run.outcome(nodeid) in ("failed", "error")

    def reproduce(self, *nodeids: str) -> str:
        args = ["pytest", "-p", "no:randomly", *self.settings.pytest_args, *nodeids]
        return shlex.join(args)

    # -- rounds ------------------------------------------------------------------------
    def round_orders(self) -> list[tuple[str, int | None, list[str]]]:
        chosen: list[tuple[str, int | None, list[str]]] = [
            ("targeted order", None, orders.targeted(self.tests, self.leaked)),
            ("reversed order", None, orders.reversed_order(self.tests)),
        ]
        index = 0
        while len(chosen) < self.settings.rounds:
            mode = orders.MODES[index % len(orders.MODES)]
            seed = self.settings.seed + index
            chosen.append(
                (f"shuffled by {mode}, seed {seed}", seed, orders.shuffled(self.tests, seed, mode))
            )
            index += 1
        return chosen[: self.settings.rounds]

    def suspects_of(self, run: Run, known: set[str]) -> list[_Suspect]:
        found = []
        executed = [record.nodeid for record in run.records]
        leaked = {record.nodeid: tuple(record.leaked) for record in run.records if record.leaked}
        for position, record in enumerate(run.records):
            if record.failed and record.nodeid not in known:
                known.add(record.nodeid)
                prefix = executed[:position]
                seen = {
                    nodeid: tuple(dict.fromkeys((*leaked.get(nodeid, ()), *self.leaked[nodeid])))
                    if nodeid in self.leaked
                    else leaked[nodeid]
                    for nodeid in prefix
                    if nodeid in leaked or nodeid in self.leaked
                }
                found.append(_Suspect(record.nodeid, prefix, record.failure, run.label, seen))
        return found

    # -- investigation -----------------------------------------------------------------
    def investigate(self, suspect: _Suspect) -> None:
        nodeid = suspect.nodeid
        alone = self.run([nodeid], f"{nodeid} alone", touch=True)
        record = alone.records[-1] if alone.records else None
        words = words_of_test(record.touched if record else (), suspect.failure)
        suspect.words = words
        if alone.outcome(nodeid) in ("failed", "error"):
            if not self.fails([], nodeid, f"{nodeid} alone, again"):
                self.flaky(nodeid)
            elif nodeid in self.passed_somewhere:
                self.brittle(nodeid, words)
            else:
                self.report.failing.append(nodeid)
            return
        if alone.outcome(nodeid) != "passed":
            return  # skipped alone: nothing to say
        if self.by_state(suspect, words):
            return
        if self.fails_alone_again(nodeid):
            self.flaky(nodeid)
            return
        self.by_search(suspect)

    def by_state(self, suspect: _Suspect, words: set[str]) -> bool:
        """Try the leakers whose state the victim reads, best match and nearest first."""
        prefix = [n for n in suspect.prefix if n != suspect.nodeid]
        confirmed: tuple[int, set[tuple[str, str]]] | None = None
        for strength, candidate, read in _ranked(prefix, suspect.leaked, words):
            keys = {change.where for change in read}
            if confirmed is not None and (strength != confirmed[0] or not keys & confirmed[1]):
                continue  # after one polluter, only others as strongly tied to the same state
            if self.fails([candidate], suspect.nodeid, f"{candidate} then {suspect.nodeid}"):
                self.pair(candidate, suspect.nodeid, read, "state")
                confirmed = (strength, keys | (confirmed[1] if confirmed else set()))
        return confirmed is not None

    def fails_alone_again(self, nodeid: str) -> bool:
        """A few more lone runs before an expensive search: a flaky test often shows here."""
        return any(
            self.fails([], nodeid, f"{nodeid} alone, run {attempt}")
            for attempt in range(2, 2 + ALONE_RERUNS)
        )

    def by_search(self, suspect: _Suspect) -> None:
        """Group testing over the failing prefix, leakers first; twice-confirmed."""
        victim = suspect.nodeid
        leakers = [n for n in suspect.prefix if suspect.leaked.get(n) and n != victim]
        pool: list[str] | None = None
        if leakers and self.fails(leakers, victim, f"leakers then {victim}"):
            pool = leakers
        elif self.fails(suspect.prefix, victim, f"the failing order again up to {victim}"):
            pool = list(suspect.prefix)
        if pool is None:
            self.flaky(victim)
            return
        pool = _narrow(
            pool,
            lambda part: self.fails(part, victim, f"bisecting {victim} ({len(part)} before it)"),
        )
        # Group testing on a flaky test ends anywhere: what it found must fail twice more.
        label = f"confirming {len(pool)} then {victim}, with state probes"
        confirm = self.run([*pool, victim], label, probes=True)
        if confirm.outcome(victim) not in ("failed", "error") or not self.fails(
            pool, victim, f"confirming {len(pool)} then {victim}, again"
        ):
            self.flaky(victim)
        elif len(pool) <= MAX_POLLUTERS:
            for polluter in pool:
                left = next((r.leaked for r in confirm.records if r.nodeid == polluter), [])
                changes = left or list(suspect.leaked.get(polluter, ()))
                read = score(changes, suspect.words)[1]
                self.pair(polluter, victim, read or changes, "bisection")
        else:
            self.report.unresolved.append(victim)
            self.report.notes.append(
                f"{victim} fails only after {len(pool)} tests together; not narrowed further"
            )

    def brittle(self, nodeid: str, words: set[str]) -> None:
        """Find the tests whose state lets ``nodeid`` pass (its state-setters).

        A flaky test can fail alone twice by chance and then pass after any test: it has to
        fail alone ``BRITTLE_ALONE`` times in all, and pass after its setters twice.
        """
        for attempt in range(3, BRITTLE_ALONE + 1):
            if not self.fails([], nodeid, f"{nodeid} alone, run {attempt}"):
                self.flaky(nodeid)
                return
        prefix = self.tests[: self.tests.index(nodeid)] if nodeid in self.tests else []
        for _, candidate, read in _ranked(prefix, self.leaked, words):
            if not self.fails([candidate], nodeid, f"{candidate} then {nodeid}"):
                self.setters_confirmed(nodeid, [candidate], read)
                return
        pool = [n for n in prefix if self.leaked.get(n)]
        if pool and not self.fails(pool, nodeid, f"leakers then {nodeid}"):
            pool = _narrow(
                pool, lambda part: not self.fails(part, nodeid, f"bisecting setters of {nodeid}")
            )
            if len(pool) <= MAX_POLLUTERS:
                state = tuple(c for n in pool for c in self.leaked.get(n, ()))
                self.setters_confirmed(nodeid, pool, state)
                return
        label = f"the default order up to {nodeid}"
        if (
            prefix
            and not self.fails(prefix, nodeid, label)
            and not self.fails(prefix, nodeid, f"{label}, again")
        ):
            self.report.brittle.append(Brittle(nodeid, ()))  # its setter leaves unseen state
        else:
            self.flaky(nodeid)  # it passed once, but not even where it passed before

    def setters_confirmed(self, nodeid: str, setters: list[str], state: Sequence[Change]) -> None:
        """Brittle when it passes after ``setters`` once more; flaky when it does not."""
        if self.fails(setters, nodeid, f"setters then {nodeid}, again"):
            self.flaky(nodeid)
        else:
            self.report.brittle.append(Brittle(nodeid, tuple(setters), tuple(state)))

    def flaky(self, nodeid: str) -> None:
        outcomes = self.runs.get(nodeid, [])
        self.report.flaky.append(Flaky(nodeid, sum(outcomes), len(outcomes)))

    def pair(self, polluter: str, victim: str, state: Sequence[Change], found_by: str) -> None:
        self.report.pairs.append(
            Pair(polluter, victim, tuple(state), self.reproduce(polluter, victim), found_by)
        )

    def cleaners(self) -> None:
        """For each pair whose polluter ran before its victim in the default order (where the
        victim passed), the tests between them that undid the polluter's state, if one helps."""
        tried: set[tuple[str, str]] = set()
        position = {nodeid: index for index, nodeid in enumerate(self.tests)}
        for pair in list(self.report.pairs):
            start = position.get(pair.polluter, len(self.tests))
            end = position.get(pair.victim, -1)
            for candidate in self.tests[start + 1 : end]:
                if (candidate, pair.victim) in tried:
                    continue
                undone = tuple(
                    change
                    for change in self.leaked.get(candidate, ())
                    if any(change.undoes(leak) for leak in pair.state)
                )
                if not undone:
                    continue
                tried.add((candidate, pair.victim))
                label = f"{pair.polluter}, {candidate}, then {pair.victim}"
                if not self.fails([pair.polluter, candidate], pair.victim, label):
                    self.report.cleaners.append(
                        Cleaner(candidate, pair.polluter, pair.victim, undone)
                    )


def _ranked(
    prefix: Sequence[str], leaked: Mapping[str, Sequence[Change]], words: set[str]
) -> list[tuple[int, str, tuple[Change, ...]]]:
    """The tests of ``prefix`` whose leaked state a test using ``words`` reads: the best
    ``MAX_STATE_CANDIDATES`` by score, then nearest to the end of the prefix, with the
    changes that matched."""
    ranked: list[tuple[int, int, str, tuple[Change, ...]]] = []
    for distance, candidate in enumerate(reversed(prefix)):
        strength, matched = score(leaked.get(candidate, ()), words)
        if strength:
            ranked.append((-strength, distance, candidate, tuple(matched)))
    ranked.sort()
    return [(-strength, c, read) for strength, _, c, read in ranked[:MAX_STATE_CANDIDATES]]


def _narrow(pool: list[str], reproduces: Callable[[list[str]], bool]) -> list[str]:
    """Halve ``pool`` while one half alone still reproduces the outcome (the later half is
    tried first); stops when only the two halves together do."""
    while len(pool) > 1:
        middle = len(pool) // 2
        if reproduces(pool[middle:]):
            pool = pool[middle:]
        elif reproduces(pool[:middle]):
            pool = pool[:middle]
        else:
            break
    return pool


def hunt(driver: Driver, settings: Settings, rootdir: str) -> LeakReport:
    """Run the hunt described in the module docstring and report what it found."""
    started = time.monotonic()
    report = LeakReport(rootdir=rootdir, seed=settings.seed, rerun=settings.rerun)
    state = _Hunt(driver, settings, report)
    pending: list[_Suspect] = []
    try:
        baseline = state.run(None, "default order, with state probes", probes=True, profile=True)
        state.tests = list(dict.fromkeys(record.nodeid for record in baseline.records))
        state.leaked = {r.nodeid: tuple(r.leaked) for r in baseline.records if r.leaked}
        report.tests = len(state.tests)
        report.leaked = state.leaked
        report.notes.extend(f"probe failed: {error}" for error in baseline.session.probe_errors)
        report.rounds.append(_round(baseline, None))
        known: set[str] = set()
        pending.extend(state.suspects_of(baseline, known))
        chosen = state.round_orders()
        with ThreadPoolExecutor(max_workers=max(1, settings.jobs)) as pool:
            futures = [
                pool.submit(driver.run, order, label=label, probes=True)
                for label, _, order in chosen
            ]
            for (_, seed, _), future in zip(chosen, futures, strict=True):
                run = state.note(future.result())
                report.runs.append((run.label, len(run.records)))
                report.rounds.append(_round(run, seed))
                pending.extend(state.suspects_of(run, known))
        while pending:
            state.investigate(pending[0])
            pending.pop(0)
        state.cleaners()
    except BudgetExhausted as exhausted:
        report.notes.append(f"stopped early: {exhausted}")
        report.unresolved.extend(suspect.nodeid for suspect in pending)
    report.executions = driver.executions
    report.processes = driver.processes
    report.seconds = time.monotonic() - started
    return report


def _round(run: Run, seed: int | None) -> Round:
    failures = tuple(dict.fromkeys(record.nodeid for record in run.failed()))
    return Round(run.label, seed, len(run.records), failures, run.seconds)
