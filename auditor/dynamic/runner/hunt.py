"""The leak hunt: a few whole-suite runs, then the fewest executions that explain each failure.

1. The default order, with every probe on: each test's outcome and the state it left changed.
2. Rounds in other orders (``rounds`` of them): first the *targeted* order (tests that undo
   earlier state, then every test that leaked something, then the rest; so each leak meets
   every test that might read it with no cleaner between), which records the names every
   test's code used; then the reversed default order of the tests that matter
   (:mod:`~auditor.dynamic.runner.readers`: those that leaked, failed, or read state
   another test left), which exposes tests that need an earlier test's state, and leakers
   that read a later leaker's state; then seeded shuffles of the whole suite by module,
   class and test. Every round is probed:
   a victim's candidates are what the tests before it left behind in that very run (and in
   the default order). The rounds' globals probe reads only the modules whose state some
   test changed in the default order (the probes of process-wide state, the environment,
   the working directory, files, loggers..., read everything): module state that only
   another order changes is rare, and a victim of it is still found, by search.
3. Each test that failed somewhere is explained from the run where it failed with the
   fewest tests before it. The rounds record the names the code of a failing test used
   (``--ta-touch`` for failed tests only), so its candidates are known without running it:

   * the tests before it whose leaked state its code names (a variable, attribute, table,
     environment variable) are tried first, each as a pair ``[polluter, victim]`` (2
     executions): a test that passed in some order and fails after one test is a victim,
     and running it alone first would add nothing;
   * otherwise it runs alone, recording the names its code uses. Passing alone, it is a
     victim: the tests whose state it reads only through calls (``open`` for the working
     directory, ``strftime`` for the time zone) are tried as pairs; when none reproduces the
     failure, it runs alone a few more times (a flaky test shows here, cheaply), then group
     testing over the failing prefix (the leakers first) finds the polluter, confirmed
     twice (once with probes on, to name the state). A failure that does not come back in
     the very same order makes the test *flaky*, never order-dependent;
   * it fails alone, and again: *brittle* when it passed in some order (its state-setter is
     found the same way, as a pair that makes it pass, among the tests that ran before it
     wherever it passed and nowhere it failed; when there is no such test, a flaky test is
     the likelier story and it runs alone a few more times first), or *failing* everywhere
     (once it failed a third lone run);
   * it fails alone once and then passes: *flaky*.

   No story (a victim and its polluter, a brittle test and its setters) is told before the
   test's whole record makes a flaky test unlikely to have told it
   (:mod:`~auditor.dynamic.runner.evidence`): lone runs and pair runs are added until then,
   and the executions of a test that turns out flaky are counted apart.

   Candidates are ranked by how strongly the victim reads their state (state many tests
   change, a counter or a cache refilled per test, is noise and no candidate), then by
   how near they are to the victim in the default order (tests that share state tend to
   sit together). A candidate that ran before the victim in
   the default order, where the victim passed, with nothing changing that state in between,
   left state the victim demonstrably survives: that state does not count.
4. For each pair, a test that undid the polluter's state in the default order is tried
   between the two: if the victim passes, it is a *cleaner*.
"""

from __future__ import annotations

import math
import shlex
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from auditor.dynamic.probes import Change
from auditor.dynamic.runner import orders, readers
from auditor.dynamic.runner.driver import BudgetExhausted, Run
from auditor.dynamic.runner.evidence import Story, brittle_story, tally, victim_story
from auditor.dynamic.runner.matching import score, words_of_test
from auditor.dynamic.runner.result import Brittle, Cleaner, Flaky, LeakReport, Pair, Round
from auditor.dynamic.runner.suspects import (
    Baseline,
    Candidate,
    Suspect,
    possible_setters,
    ranked,
    suspects,
)

MAX_STATE_CANDIDATES = 3
MAX_POLLUTERS = 3
ALONE_RERUNS = 3
MAX_ALONE_RERUNS = 12
"""Lone reruns of a victim no leaked state explains, each in its own process, before
searching: at least ``ALONE_RERUNS``, and more when the search would cost more (log2 of its
cost, plus one), since a flaky test that failed once by chance is caught by a lone failure
far more cheaply than by a search that ends in "it does not come back"."""
SEARCH_COST = 4
"""A search costs about this many times its failing prefix: the first step, the halvings
and two confirmations."""
BRITTLE_ALONE = 4
"""Lone failures, each in its own process, before a test counts as needing another's state."""
FAILING_ALONE = 3
"""Lone failures of a test that failed in every run before it counts as failing everywhere
(a test failing 40% of the time fails three rounds and three lone runs once in 250)."""
CONFIRM_RUNS = 12
"""Executions at most, beyond those already made, to bring a story's chance of coming from a
flaky test under :data:`~auditor.dynamic.runner.evidence.CONFIDENCE`."""
NAMED_SHARE = 0.9
"""The share of the 1% (:data:`~auditor.dynamic.runner.evidence.CONFIDENCE`) spent on
stories whose state the victim's code names. Which of those it could have told is known
from the state alone: the tests that left that very state, usually one, so a pair run and
the lone passes the bound asks for of a single story confirm it. The stories through
calls (the working directory, the time zone: state many tests leave) share the rest; a
test failing at random is confirmed with at most 0.9% + 0.1% in all. When the suspect
could have told stories of one kind only, that kind takes the whole 1%."""
CONFIRM_SHARE = 8
"""A story found by state may take up to this share of the search it saves (``SEARCH_COST``
times the failing prefix) to confirm, when that is more than :data:`CONFIRM_RUNS`: a story
through calls is one of many (the union bound asks for a long record), and a search over
a prefix of 120 tests costs about 480 executions."""
GLOBALS = "globals"
"""The probe of module state, the one the rounds narrow to what the default order saw."""
COMMON_SHARE = 0.01
COMMON_AT_LEAST = 3
"""State changed by more than this share of the suite's tests (and more than this many
tests) is common: a counter every test bumps explains every failure, so it ranks last."""


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
        touch_failed: bool = False,
        profile: bool = False,
        expected: int | None = None,
        watch: Sequence[str] | None = None,
    ) -> Run: ...


TRACE_ROUNDS_UP_TO = 10.0
"""Seconds the default order may take for the shuffled rounds to record what their failed
tests' code names (``--ta-touch-failed``), which lets a victim be tried with its polluter
straight away instead of alone first. That saves a pytest process per victim, a second or
so; the trace costs little on Python 3.12+ (``sys.monitoring``) but slows every test by
about half before it (a profile function): on a suite whose round takes minutes the saved
processes are not worth it, so there the victims run alone first. The targeted round is
traced whatever its length: the names it records choose the tests the reversed round runs
(:mod:`~auditor.dynamic.runner.readers`), which spares most of a whole-suite run, more than
the trace costs."""
TRACE_PROFILED_UP_TO = 3.0
"""The same limit when the suite's interpreter has no ``sys.monitoring`` (before 3.12, as
its record says): two traced rounds then cost about as much more as the default order
takes, which a few saved processes pay for only in a short run (python-dateutil's 9 s
default order made its rounds 40% slower, for no victim)."""


@dataclass
class Settings:
    seed: int
    rounds: int = 2
    pytest_args: Sequence[str] = ()
    rerun: str = ""
    jobs: int = 1
    """Rounds run in parallel processes (after the targeted one, whose names choose the
    reversed round's tests)."""


@dataclass
class _Hunt:
    driver: Driver
    settings: Settings
    report: LeakReport
    baseline: Baseline = field(default_factory=Baseline)
    runs: dict[str, list[bool]] = field(default_factory=dict)
    """nodeid -> failed? per execution, across every run."""
    passed_somewhere: set[str] = field(default_factory=set)
    history: list[Run] = field(default_factory=list)
    """Every run so far: where each test passed and failed, after what."""
    phase: str = "default order"
    """What the runs going on are for (the executions they cost are counted under it)."""

    @property
    def tests(self) -> list[str]:
        return self.baseline.tests

    @property
    def leaked(self) -> dict[str, tuple[Change, ...]]:
        return self.baseline.leaked

    # -- running -----------------------------------------------------------------------
    def run(self, order: Sequence[str] | None, label: str, **options: Any) -> Run:
        run = self.note(self.driver.run(order, label=label, **options))
        self.report.runs.append((label, len(run.records)))
        self.spend(self.phase, len(run.records))
        return run

    def spend(self, phase: str, executions: int) -> None:
        spent = self.report.spent
        spent[phase] = spent.get(phase, 0) + executions

    @contextmanager
    def phase_of(self, phase: str) -> Iterator[None]:
        outer, self.phase = self.phase, phase
        try:
            yield
        finally:
            self.phase = outer

    def note(self, run: Run) -> Run:
        """Keep each execution's outcome (for failure rates and "passed somewhere"), and
        the tests that ended a process early (named once, left out of what follows)."""
        self.history.append(run)
        known = {crash.nodeid for crash in self.report.crashed}
        for crash in run.crashes:
            if crash.nodeid not in known:
                known.add(crash.nodeid)
                self.report.crashed.append(crash)
        self.report.not_run.extend(n for n in run.not_run if n not in self.report.not_run)
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
    def round(self, run: Run, seed: int | None) -> Run:
        """Keep a round's run: its outcomes, its label and size, its cost."""
        self.note(run)
        self.report.runs.append((run.label, len(run.records)))
        self.spend("rounds", len(run.records))
        self.report.rounds.append(_round(run, seed))
        return run

    def later_rounds(self, targeted: Run | None) -> list[tuple[str, int | None, list[str]]]:
        """The rounds after the targeted one: the reversed order of the tests that matter
        (what ``targeted`` recorded of every test's names chooses them), then seeded
        shuffles of the whole suite, ``rounds`` in all with the targeted one."""
        chosen: list[tuple[str, int | None, list[str]]] = []
        if self.settings.rounds >= 2:
            touched = (
                {record.nodeid: record.touched for record in targeted.records} if targeted else {}
            )
            failed = {r.nodeid for run in self.history for r in run.records if r.failed}
            matter = readers.that_matter(self.tests, self.rare_leaks(), touched, failed)
            order = [nodeid for nodeid in orders.reversed_order(self.tests) if nodeid in matter]
            label = f"reversed order of the {len(order)} tests that leaked, failed or read state"
            if order:  # no test leaked, failed or reads another's state: nothing to run
                chosen.append((label, None, order))
        for index in range(self.settings.rounds - 2):
            mode = orders.MODES[index % len(orders.MODES)]
            seed = self.settings.seed + index
            chosen.append(
                (f"shuffled by {mode}, seed {seed}", seed, orders.shuffled(self.tests, seed, mode))
            )
        return chosen

    def watched(self) -> list[str]:
        """The module state (``globals`` keys) some test changed in the default order: all
        the rounds' globals probe reads."""
        return sorted(
            {
                change.key
                for changes in self.leaked.values()
                for change in changes
                if change.probe == GLOBALS
            }
        )

    def rare_leaks(self) -> dict[str, tuple[Change, ...]]:
        """What each test left in the default order, less the noise (state most tests
        change: a statistics counter, an object recreated per test). Were the noise kept,
        every test would be a leaker and the targeted order the default one."""
        rare = {
            nodeid: tuple(self.baseline.rare(changes)) for nodeid, changes in self.leaked.items()
        }
        return {nodeid: changes for nodeid, changes in rare.items() if changes}

    # -- investigation -----------------------------------------------------------------
    def investigate(self, suspect: Suspect) -> None:
        """Explain one suspect; what a test that turns out flaky (or stays unresolved) cost
        is counted as ``flaky tests`` (``unresolved``), whatever its runs were for."""
        before = dict(self.report.spent)
        flaky, unresolved = len(self.report.flaky), len(self.report.unresolved)
        self.explain(suspect)
        if len(self.report.flaky) > flaky:
            self.count_as(before, "flaky tests")
        elif len(self.report.unresolved) > unresolved:
            self.count_as(before, "unresolved")

    def count_as(self, before: dict[str, int], phase: str) -> None:
        """Count what was spent since ``before`` under ``phase``."""
        for name, executions in list(self.report.spent.items()):
            extra = executions - before.get(name, 0)
            if extra and name != phase:
                self.report.spent[name] = executions - extra
                self.spend(phase, extra)

    def explain(self, suspect: Suspect) -> None:
        nodeid = suspect.nodeid
        suspect.words = words_of_test(suspect.touched, suspect.failure)
        tried: set[str] = set()
        # It passed somewhere and its code names what a test before it left: the pair alone
        # tells; a lone run first would only repeat that it can pass. A pair that fails
        # proves nothing when the test fails without the polluter too (a brittle test, a
        # failing or flaky one): lone passes confirm it (see by_state).
        named_first = bool(suspect.touched) and nodeid in self.passed_somewhere
        if named_first and self.by_state(suspect, tried, named_only=True):
            return
        with self.phase_of("alone"):
            alone = self.run([nodeid], f"{nodeid} alone", touch=True)
        record = alone.records[-1] if alone.records else None
        lone_words = words_of_test(record.touched if record else (), suspect.failure)
        if alone.outcome(nodeid) in ("failed", "error"):
            suspect.words |= lone_words
            with self.phase_of("alone"):
                again = self.fails([], nodeid, f"{nodeid} alone, again")
            if not again:
                self.flaky(nodeid)
            elif nodeid in self.passed_somewhere:
                with self.phase_of("brittle"):
                    self.brittle(nodeid, suspect.words)
            elif any(
                not self.fails([], nodeid, f"{nodeid} alone, run {attempt}")
                for attempt in range(3, FAILING_ALONE + 1)
            ):
                self.flaky(nodeid)
            else:
                self.report.failing.append(nodeid)
            return
        if alone.outcome(nodeid) != "passed":
            return  # skipped alone: nothing to say
        # What its code used where it failed first (also what it reads only through calls:
        # the working directory, the time zone), then what it used alone: a lone run also
        # records what the session's fixtures did as they were set up for it.
        if suspect.touched and (self.by_state(suspect, tried) or self.failed_alone(nodeid)):
            return
        suspect.words |= lone_words
        if self.by_state(suspect, tried) or self.failed_alone(nodeid):
            return
        with self.phase_of("alone"):
            again = self.fails_alone_again(nodeid, SEARCH_COST * (len(suspect.prefix) + 1))
        if again:
            self.flaky(nodeid)
            return
        with self.phase_of("search"):
            self.by_search(suspect)

    def failed_alone(self, nodeid: str) -> bool:
        """It passed alone and has failed alone since (while confirming a pair): flaky."""
        if not any(
            run.order == [nodeid] and run.outcome(nodeid) in ("failed", "error")
            for run in self.history
        ):
            return False
        self.flaky(nodeid)
        return True

    def candidates(self, suspect: Suspect) -> list[Candidate]:
        """The best ``MAX_STATE_CANDIDATES`` of the prefix by how strongly the suspect reads
        their state, then the next ones in the same order (state it names that ranked
        lower, then state it reads only through calls: the working directory, the time
        zone, a logger's level): names its code used by the way can outrank its
        polluter's, and a pair run costs far less than the search it would otherwise take.
        As many of those as an eighth of that search would pay for, and at least
        ``MAX_STATE_CANDIDATES``."""
        prefix = [n for n in suspect.prefix if n != suspect.nodeid]
        found = ranked(
            prefix,
            suspect.leaked,
            suspect.words,
            self.baseline,
            suspect.nodeid,
            limit=len(prefix),
        )
        # As many more as an eighth of the search they would save (a pair run is 2
        # executions).
        search = SEARCH_COST * (len(suspect.prefix) + 1)
        reach = max(MAX_STATE_CANDIDATES, search // (2 * CONFIRM_SHARE))
        return found[: MAX_STATE_CANDIDATES + reach]

    def possible_stories(self, suspect: Suspect, *, named_only: bool) -> int:
        """How many tests of the whole suite left state the suspect reads (``named_only``:
        state its code names): which of them gets tried depends on where it happened to
        fail (and where it passed, which rules some out), so each is a story it could have
        told: the union bound of :mod:`~auditor.dynamic.runner.evidence` counts them all."""
        leaked = {**self.leaked, **suspect.leaked}
        possible = 0
        for nodeid, changes in leaked.items():
            rare = self.baseline.rare(changes)
            match = score(rare, suspect.words) if nodeid != suspect.nodeid else None
            possible += bool(match and (match.named or not named_only))
        return possible

    def bounds(self, suspect: Suspect, found: Sequence[Candidate]) -> dict[str, float]:
        """Per candidate found, the number of stories of its kind the suspect could have
        told, over the share of :data:`~auditor.dynamic.runner.evidence.CONFIDENCE` that
        kind gets (:data:`NAMED_SHARE`): a story is confirmed when its chance times this is
        at most the whole 1%."""
        named_found = sum(candidate.match.named for candidate in found)
        named = max(named_found, self.possible_stories(suspect, named_only=True))
        weak = max(
            len(found) - named_found,
            self.possible_stories(suspect, named_only=False) - named,
        )
        # A kind of story the suspect could not have told takes no share.
        share = NAMED_SHARE if named and weak else float(bool(named))
        return {
            candidate.nodeid: (
                max(1, named) / share if candidate.match.named else max(1, weak) / (1 - share)
            )
            for candidate in found
        }

    def by_state(self, suspect: Suspect, tried: set[str], *, named_only: bool = False) -> bool:
        """Try the leakers whose state the victim reads, best match first (``named_only``:
        only those whose state its code names); skips and adds to ``tried``. A candidate
        after which the victim fails is its polluter once the victim's whole record makes
        a flaky test unlikely (:meth:`confirmed_story`)."""
        confirmed: tuple[int, set[tuple[str, str]]] | None = None
        found: list[Candidate] = []
        with self.phase_of("pairs"):
            for candidate in self.candidates(suspect):
                match = candidate.match
                if candidate.nodeid in tried or (named_only and not match.named):
                    continue
                keys = {change.where for change in match.changes}
                if confirmed is not None and (
                    match.strength != confirmed[0] or not keys & confirmed[1]
                ):
                    continue  # after one polluter, only others as strongly tied to that state
                tried.add(candidate.nodeid)
                label = f"{candidate.nodeid} then {suspect.nodeid}"
                if self.fails([candidate.nodeid], suspect.nodeid, label):
                    found.append(candidate)
                    confirmed = (match.strength, keys | (confirmed[1] if confirmed else set()))
            stories = {
                candidate.nodeid: victim_story([candidate.nodeid], self.undoers(candidate.nodeid))
                for candidate in found
            }
            spend = max(CONFIRM_RUNS, SEARCH_COST * (len(suspect.prefix) + 1) // CONFIRM_SHARE)
            bounds = self.bounds(suspect, found)
            sure = self.confirmed_story(suspect.nodeid, stories, bounds, spend=spend)
        for candidate in found:
            if candidate.nodeid in sure:
                self.pair(candidate.nodeid, suspect.nodeid, candidate.match.changes, "state")
        return bool(sure)

    def confirmed_story(
        self,
        nodeid: str,
        stories: dict[str, Story],
        tried: float | Mapping[str, float],
        chose: range = range(0),
        *,
        spend: int = CONFIRM_RUNS,
    ) -> set[str]:
        """The stories (by name) the test's whole record confirms
        (:mod:`~auditor.dynamic.runner.evidence`), after more runs as needed: the run that
        lowers the chance of the likeliest story most per execution, each time, up to
        ``spend`` executions; none once a run went against what it predicted.
        ``tried``: how many stories each is one of (the union bound), the same for all or
        per story. ``chose``: the runs (positions in the history) whose outcomes chose the
        stories, as a search does; they are no evidence for them."""
        spent = 0
        among = tried if isinstance(tried, Mapping) else dict.fromkeys(stories, tried)
        while True:
            record = [run for index, run in enumerate(self.history) if index not in chose]
            tallies = {name: tally(record, nodeid, story.fails) for name, story in stories.items()}
            sure = {name for name, counts in tallies.items() if counts.confirmed(among[name])}
            if sure or not stories:
                return sure
            name = min(tallies, key=lambda key: tallies[key].chance() * among[key])
            prefix = stories[name].next_run(tallies[name])
            spent += len(prefix) + 1
            if spent > spend:
                return set()
            label = f"{' then '.join(prefix)} then {nodeid}" if prefix else f"{nodeid} alone"
            label += ", to confirm"
            if self.fails(list(prefix), nodeid, label) != stories[name].fails(prefix):
                return set()

    def undoers(self, polluter: str) -> list[str]:
        """The tests that put back state ``polluter`` left in the default order."""
        left = self.leaked.get(polluter, ())
        return [
            nodeid
            for nodeid, changes in self.leaked.items()
            if any(change.undoes(leak) for change in changes for leak in left)
        ]

    def fails_alone_again(self, nodeid: str, search: int) -> bool:
        """A few more lone runs before a search of ``search`` executions or more: a flaky
        test often shows here, for one execution each."""
        reruns = min(MAX_ALONE_RERUNS, max(ALONE_RERUNS, math.ceil(math.log2(search)) + 1))
        return any(
            self.fails([], nodeid, f"{nodeid} alone, run {attempt}")
            for attempt in range(2, 2 + reruns)
        )

    def by_search(self, suspect: Suspect) -> None:
        """Group testing over the failing prefix, leakers first; twice-confirmed.

        The leakers are the tests that left rare state (a counter every test bumps makes
        every test a leaker, and the pool the whole prefix); when they are the whole
        prefix, the failing order is not run a second time: it has just not come back."""
        victim = suspect.nodeid
        prefix = [n for n in suspect.prefix if n != victim]
        leakers = [n for n in prefix if self.baseline.rare(suspect.leaked.get(n, ()))]
        pool: list[str] | None = None
        searched = len(self.history)
        if leakers and self.fails(leakers, victim, f"leakers then {victim}"):
            pool = leakers
        elif leakers != prefix and self.fails(
            suspect.prefix, victim, f"the failing order again up to {victim}"
        ):
            pool = list(suspect.prefix)
        if pool is None:
            self.flaky(victim)
            return
        searched_over = len(pool)
        pool = _narrow(
            pool,
            lambda part: self.fails(part, victim, f"bisecting {victim} ({len(part)} before it)"),
        )
        # Group testing on a flaky test ends anywhere: what it found must fail twice more,
        # the runs that chose it are no evidence for it, and every pool its halvings could
        # have ended at (a node of the halving tree: fewer than twice the tests it started
        # from, and two per halving made) is a story it could have told.
        chose = range(searched, len(self.history))
        pools = min(2 * searched_over - 1, 2 ** (len(chose) - 1))
        label = f"confirming {len(pool)} then {victim}, with state probes"
        confirm = self.run([*pool, victim], label, probes=True)
        story = {victim: victim_story(pool)}
        if (
            confirm.outcome(victim) not in ("failed", "error")
            or not self.fails(pool, victim, f"confirming {len(pool)} then {victim}, again")
            or not self.confirmed_story(victim, story, pools, chose)
        ):
            self.flaky(victim)
        elif len(pool) <= MAX_POLLUTERS:
            for polluter in pool:
                left = next((r.leaked for r in confirm.records if r.nodeid == polluter), [])
                changes = left or list(suspect.leaked.get(polluter, ()))
                # Noise (state most tests change) is no explanation when there is more.
                rare = self.baseline.rare(changes) or changes
                read = score(rare, suspect.words, self.baseline.common).changes
                state = sorted(read or rare, key=self.baseline.rarity)  # rarest first
                self.pair(polluter, victim, state, "bisection")
        else:
            self.report.unresolved.append(victim)
            self.report.notes.append(
                f"{victim} fails only after {len(pool)} tests together; not narrowed further"
            )

    def brittle(self, nodeid: str, words: set[str]) -> None:
        """Find the tests whose state lets ``nodeid`` pass (its state-setters).

        A flaky test can fail alone twice by chance and then pass after any test: it has to
        fail alone ``BRITTLE_ALONE`` times in all, and its setters count only once they let
        it pass again and its whole record makes a flaky test unlikely
        (``setters_confirmed``): the setters were chosen to fit what ran before, so fresh
        runs weigh most.
        """
        for attempt in range(3, BRITTLE_ALONE + 1):
            if not self.fails([], nodeid, f"{nodeid} alone, run {attempt}"):
                self.flaky(nodeid)
                return
        possible = possible_setters(self.history, nodeid)
        if not possible:
            # No one test ran before it wherever it passed and nowhere it failed: no single
            # setter explains it, a flaky test does; a few more lone runs are cheap.
            for attempt in range(BRITTLE_ALONE + 1, 2 * BRITTLE_ALONE + 1):
                if not self.fails([], nodeid, f"{nodeid} alone, run {attempt}"):
                    self.flaky(nodeid)
                    return
        prefix = self.tests[: self.tests.index(nodeid)] if nodeid in self.tests else []
        if possible:
            prefix = [n for n in prefix if n in possible]
        setters = ranked(
            prefix,
            self.leaked,
            words,
            self.baseline,
            nodeid,
            limit=MAX_STATE_CANDIDATES,
            survived=False,
        )
        for tried, candidate in enumerate(setters, start=1):
            if not self.fails([candidate.nodeid], nodeid, f"{candidate.nodeid} then {nodeid}"):
                self.setters_confirmed(nodeid, [candidate.nodeid], candidate.match.changes, tried)
                return
        pool = [n for n in prefix if self.leaked.get(n)]
        if pool and not self.fails(pool, nodeid, f"leakers then {nodeid}"):
            pool = _narrow(
                pool, lambda part: not self.fails(part, nodeid, f"bisecting setters of {nodeid}")
            )
            if len(pool) <= MAX_POLLUTERS:
                state = tuple(c for n in pool for c in self.leaked.get(n, ()))
                self.setters_confirmed(nodeid, pool, state, len(setters) + 1)
                return
        if prefix and not self.fails(prefix, nodeid, f"the default order up to {nodeid}"):
            # Its setter leaves state the probes do not see.
            self.setters_confirmed(nodeid, prefix, (), len(setters) + 2, unseen=True)
        else:
            self.flaky(nodeid)  # it passed once, but not even where it passed before

    def setters_confirmed(
        self,
        nodeid: str,
        setters: list[str],
        state: Sequence[Change],
        tried: int,
        *,
        unseen: bool = False,
    ) -> None:
        """Brittle when it passes after ``setters`` once more and its record makes a flaky
        test unlikely (``tried`` sets of setters were tried; more runs as needed); flaky
        when not. ``unseen``: ``setters`` is the
        whole prefix it passed after, and no one test of it is named."""
        again = not self.fails(setters, nodeid, f"setters then {nodeid}, again")
        if not again or not self.confirmed_story(nodeid, {nodeid: brittle_story(setters)}, tried):
            self.flaky(nodeid)
        else:
            named = () if unseen else tuple(setters)
            self.report.brittle.append(Brittle(nodeid, named, tuple(state)))

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
        position = self.baseline.position
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
    pending: list[Suspect] | None = None
    runs: list[Run] = []
    try:
        baseline = state.run(None, "default order, with state probes", probes=True, profile=True)
        state.baseline = Baseline.of(baseline, COMMON_SHARE, COMMON_AT_LEAST)
        report.tests = len(state.tests)
        report.leaked = state.leaked
        report.notes.extend(f"probe failed: {error}" for error in baseline.session.probe_errors)
        report.notes.extend(f"probe left out: {note}" for note in baseline.session.probe_notes)
        report.collection_errors = list(baseline.session.collection_errors)
        report.notes.extend(
            f"left at the end of the session: {change.describe()}"
            for change in dict.fromkeys(baseline.session.left_by_session_fixtures)
        )
        report.rounds.append(_round(baseline, None))
        runs.append(baseline)
        trace = baseline.seconds <= _trace_limit(baseline)
        watch = state.watched()
        targeted: Run | None = None
        if settings.rounds >= 1:
            order = orders.targeted(state.tests, state.rare_leaks())
            targeted = driver.run(
                order, label="targeted order", probes=True, touch=True, watch=watch
            )
            runs.append(state.round(targeted, None))
        chosen = state.later_rounds(targeted)
        with ThreadPoolExecutor(max_workers=max(1, settings.jobs)) as pool:
            futures = [
                pool.submit(
                    driver.run,
                    order,
                    label=label,
                    probes=True,
                    # the reversed round is short: the names of its failed tests are cheap
                    touch_failed=trace or seed is None,
                    watch=watch,
                )
                for label, seed, order in chosen
            ]
            for (_, seed, _), future in zip(chosen, futures, strict=True):
                runs.append(state.round(future.result(), seed))
        pending = suspects(runs, state.baseline)
        while pending:
            state.investigate(pending[0])
            pending.pop(0)
        with state.phase_of("cleaners"):
            state.cleaners()
    except BudgetExhausted as exhausted:
        report.notes.append(f"stopped early: {exhausted}")
        if pending is None:  # stopped during the rounds: what failed in those that ran
            pending = suspects(runs, state.baseline) if runs else []
        report.unresolved.extend(suspect.nodeid for suspect in pending)
    report.executions = driver.executions
    report.processes = driver.processes
    report.seconds = time.monotonic() - started
    return report


def _trace_limit(baseline: Run) -> float:
    """How long a default order may take for the rounds to be traced."""
    return TRACE_PROFILED_UP_TO if baseline.session.monitoring is False else TRACE_ROUNDS_UP_TO


def _round(run: Run, seed: int | None) -> Round:
    failures = tuple(dict.fromkeys(record.nodeid for record in run.failed()))
    return Round(run.label, seed, len(run.records), failures, run.seconds)
