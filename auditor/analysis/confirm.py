"""`scan --run`: the static tiers, confirmed or corrected by what one profiled run saw.

The run's evidence is the strongest there is (:attr:`Level.RUN`): a test the static model
calls unit that connected a socket, ran a subprocess, wrote a file outside the temporary
folders, opened a SQLite database file or sent SQL statements is observed integration, with
that evidence first (``observed: connected to 127.0.0.1:5432``). Which tier each kind of
access means comes from the signal packs, the same signals the static model uses for the
calls that do it (``network.socket``, ``processes.subprocess``,
``processes.files-outside-tmp``, ``databases.dbapi-connect``); a signal switched off in the
configuration makes that access a note, not a tier. SQL sent to an in-memory SQLite
database is a note too, unless `in-memory-database` in `[tool.test-auditor]` names a
heavier tier for it (as it does for the static model's engines on in-memory URLs). What
a wider-scoped fixture reached while it set up or tore down counts for every test whose
closure holds that fixture (the test cannot run without it), whichever test it happened
to set up in.

The run makes a tier lighter in one case only, where what it saw is positive evidence and
not just an absence: a test the static model puts in a tier of outside access because of
its database alone (every piece of evidence that decided the tier comes from a signal of
the `database` family, none from a mark, a folder, a name, a client or a server) that
passed, sent SQL to an in-memory SQLite database (itself or through a wider fixture of its
closure) and reached nothing outside the process: no socket, no subprocess, no database
file, no write outside the temporary folders. Its database lived in memory, and in-memory
storage is the lightest tier (unless `in-memory-database` names another), with that
evidence first (``observed: only in-memory work: ...``). Evidence naming a driver that
connects in C (psycopg, mysqlclient, pyodbc: no audit event when they connect) keeps the
static tier, since the run could not have seen it.

Otherwise what the run cannot see is no proof of absence, so the other disagreements are
notes, not corrections:

- a test the static model puts in a tier of outside access (integration) that passed with
  none seen: it may mock or fake it, or reach it through a driver that connects in C
  (psycopg without SQLAlchemy), which raises no audit event;
- a slow or heavy test the static model calls unit. Slow is not performance (a performance
  test measures; a slow one just takes long): a slow test moves only when `slow-tier` in
  `[tool.test-auditor.profile]` names the tier to move it to.

Parametrized cases fold into their test, as in the static model: what any case reached,
the slowest case's time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from auditor.analysis.resolution import Resolution
from auditor.analysis.tier_model import Evidence, Level, TestTier, Tiers
from auditor.analysis.tier_signals import SignalSet
from auditor.config import ProfileSettings
from auditor.dynamic.runner.observations import (
    HEAVY,
    SLOW,
    STATEMENTS,
    Access,
    Observations,
    TestProfile,
    describe,
    fixture_access,
)
from auditor.model.suite import Suite

NOT_RUN = "not run"
ACCESS_SIGNALS = {
    "connect": "network.socket",
    "lookup": "network.socket",
    "subprocess": "processes.subprocess",
    "write": "processes.files-outside-tmp",
    "sqlite": "databases.dbapi-connect",
    "statements": "databases.dbapi-connect",
}
"""Kind of access -> the signal whose tier it means."""
DATABASE_FAMILY = "database"
"""The signal family whose static evidence an in-memory run can overrule."""
C_DRIVERS = ("psycopg", "mysqldb", "mysqlclient", "pyodbc", "oracledb", "cx_oracle", "ibm_db")
"""Database drivers that connect in C: the run sees neither their sockets nor (without
SQLAlchemy) their statements, so evidence naming them is never overruled."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """One test of the static model, next to what the run saw of it."""

    nodeid: str
    static_tier: str
    tier: str
    outcome: str
    """``passed``, ``failed``, ``error``, ``skipped`` (any case that ran decides) or
    :data:`NOT_RUN` (deselected, or not collected by pytest)."""
    observed: tuple[str, ...] = ()
    disagreements: tuple[str, ...] = ()
    seconds: float | None = None
    peak_kb: int | None = None
    statements: int | None = None


@dataclass(frozen=True, slots=True)
class Confirmed:
    tiers: Tiers
    """The corrected tiers, the run's evidence first."""
    verdicts: dict[str, Verdict]
    observations: Observations
    unmatched: tuple[str, ...] = ()
    """Tests the run executed that the static model does not have (without brackets)."""

    @property
    def disagreements(self) -> int:
        return sum(1 for verdict in self.verdicts.values() if verdict.disagreements)

    @property
    def corrected(self) -> int:
        return sum(1 for v in self.verdicts.values() if v.tier != v.static_tier)


def base_nodeid(nodeid: str) -> str:
    """A node id without its parametrize brackets (``t.py::test_x[1-a]`` -> ``t.py::test_x``;
    the brackets may hold ``::`` themselves)."""
    return nodeid.split("[", 1)[0]


def confirm(
    suite: Suite,
    resolution: Resolution,
    tiers: Tiers,
    observations: Observations,
    signals: SignalSet,
) -> Confirmed:
    """Each static tier next to the run's evidence; see the module docstring."""
    judge = _Judge(tiers, observations, resolution, signals)
    lines = {test.nodeid: test.line for test in suite.tests}
    verdicts: dict[str, Verdict] = {}
    tests: dict[str, TestTier] = {}
    for nodeid, static in tiers.tests.items():
        verdict, tier = judge.test(static, lines.get(nodeid, 0))
        verdicts[nodeid] = verdict
        tests[nodeid] = tier
    unmatched = sorted({base_nodeid(n) for n in observations.tests} - set(tiers.tests))
    return Confirmed(Tiers(tiers.names, tests), verdicts, observations, tuple(unmatched))


class _Judge:
    def __init__(
        self,
        tiers: Tiers,
        observations: Observations,
        resolution: Resolution,
        signals: SignalSet,
    ) -> None:
        self.names = tiers.names
        self.weight = {name: index for index, name in enumerate(tiers.names)}
        self.settings: ProfileSettings = observations.settings
        self.runs: dict[str, list[TestProfile]] = {}
        for nodeid, profile in observations.tests.items():
            self.runs.setdefault(base_nodeid(nodeid), []).append(profile)
        self.fixtures = fixture_access(observations)
        self.resolution = resolution
        by_id = {signal.id: signal for signal in signals.signals}
        self.kind_tier = {
            kind: by_id[signal].tier for kind, signal in ACCESS_SIGNALS.items() if signal in by_id
        }
        in_memory = signals.in_memory_tier or self.names[0]
        if in_memory != self.names[0]:
            # `in-memory-database` counts in-memory SQL as that tier; by default it is a note
            self.kind_tier["memory"] = in_memory
        self.outside_tiers = set(self.kind_tier.values())
        self.lower_to = in_memory if in_memory == self.names[0] else None
        """The tier of a test whose run did in-memory work only (None: never lowered)."""
        self.database_signals = {s.id for s in signals.signals if s.family == DATABASE_FAMILY}

    def test(self, static: TestTier, line: int) -> tuple[Verdict, TestTier]:
        runs = self.runs.get(static.nodeid, [])
        if not runs:
            return Verdict(static.nodeid, static.tier, static.tier, NOT_RUN), static
        outcome = _outcome(runs)
        seconds = max(run.seconds for run in runs)
        peak = max(run.peak_kb for run in runs)
        own = Access()
        for run in runs:
            own = own.merged(run.access)
        flags = {flag for run in runs for flag in run.flags}
        evidence = [
            self._evidence(kind, phrase, static.path, line)
            for kind, phrase in _phrases(own)
            if kind in self.kind_tier
        ]
        observed = [phrase for _, phrase in _phrases(own)]
        fixtures = self._fixtures_of(static.nodeid)
        for label, access in fixtures:
            for kind, phrase in _phrases(access):
                observed.append(f"{label} {phrase}")
                if kind in self.kind_tier:
                    evidence.append(self._evidence(kind, f"{label} {phrase}", static.path, line))
        notes = self._measures(flags, seconds, peak, own)
        observed.extend(notes.values())
        if SLOW in flags and self.settings.slow_tier in self.weight:
            text = f"observed: took {seconds:.2f} s (slow: {self.settings.slow:g} s or more)"
            tier = self.settings.slow_tier or ""
            evidence.append(Evidence(tier, Level.RUN, text, static.path, line, "run.slow"))
        lighter = None if evidence else self._in_memory_only(static, outcome, own, fixtures, line)
        if lighter is not None:
            evidence.append(lighter)
            tier = lighter.tier
        else:
            tier = max(
                [static.tier, *(e.tier for e in evidence)], key=lambda t: self.weight.get(t, -1)
            )
        disagreements = self._disagreements(static, tier, evidence, outcome, flags, notes)
        verdict = Verdict(
            static.nodeid,
            static.tier,
            tier,
            outcome,
            tuple(dict.fromkeys(observed)),
            tuple(disagreements),
            round(seconds, 4),
            peak,
            own.statements,
        )
        decisive = [e for e in evidence if e.tier == tier]
        others = [e for e in evidence if e.tier != tier]
        corrected = replace(
            static,
            tier=tier,
            evidence=tuple(dict.fromkeys((*decisive, *others, *static.evidence))),
        )
        return verdict, corrected

    def _in_memory_only(
        self,
        static: TestTier,
        outcome: str,
        own: Access,
        fixtures: Sequence[tuple[str, Access]],
        line: int,
    ) -> Evidence | None:
        """The evidence that lowers a test whose run did in-memory database work only (see
        the module docstring), None when the run does not overrule the static tier."""
        lightest = self.lower_to
        if lightest is None or static.tier == lightest or static.tier not in self.outside_tiers:
            return None
        if outcome != "passed" or own.external or any(a.external for _, a in fixtures):
            return None
        memory = [(label, a.memory_statements) for label, a in fixtures if a.memory_statements]
        if own.memory_statements:
            memory.insert(0, ("", own.memory_statements))
        if not memory:
            return None
        decisive = [e for e in static.evidence if e.tier == static.tier]
        if not decisive or any(
            e.level != Level.REACH or e.signal not in self.database_signals for e in decisive
        ):
            return None
        if any(driver in f"{e.subject} {e.text}".lower() for e in static.evidence
               for driver in C_DRIVERS):  # fmt: skip
            return None
        sent = "; ".join(
            f"{label + ' ' if label else ''}issued {count} SQL statement"
            f"{'' if count == 1 else 's'} to an in-memory SQLite database"
            for label, count in memory
        )
        text = (
            f"observed: only in-memory work ({sent}): no connection, subprocess, database "
            "file or write outside the temporary folders"
        )
        return Evidence(lightest, Level.RUN, text, static.path, line, "run.in-memory", "memory")

    def _evidence(self, kind: str, phrase: str, path: str, line: int) -> Evidence:
        tier = self.kind_tier[kind]
        return Evidence(tier, Level.RUN, f"observed: {phrase}", path, line, f"run.{kind}", kind)

    def _fixtures_of(self, nodeid: str) -> list[tuple[str, Access]]:
        """What the wider fixtures of the test's closure reached, with a label for each."""
        fixtures = self.resolution.tests.get(nodeid)
        if fixtures is None or not self.fixtures:
            return []
        found = []
        for key in fixtures.definitions:
            definition = self.resolution.definitions.get(key)
            if definition is None:
                continue
            access = self.fixtures.get((definition.path, definition.name))
            if access is not None:
                label = f"fixture `{definition.name}` ({definition.path}:{definition.line})"
                found.append((label, access))
        return found

    def _measures(
        self, flags: set[str], seconds: float, peak: int, access: Access
    ) -> dict[str, str]:
        """flag -> what it means for this test."""
        settings = self.settings
        notes = {}
        if SLOW in flags:
            notes[SLOW] = f"took {seconds:.2f} s (slow: {settings.slow:g} s or more)"
        if HEAVY in flags:
            notes[HEAVY] = (
                f"raised its peak memory by {peak / 1024:.0f} MB "
                f"(heavy: {settings.heavy_kb / 1024:g} MB or more)"
            )
        if STATEMENTS in flags:
            count = access.statements + access.memory_statements
            notes[STATEMENTS] = f"sent {count} SQL statements ({settings.statements} or more)"
        return notes

    def _disagreements(
        self,
        static: TestTier,
        tier: str,
        evidence: Sequence[Evidence],
        outcome: str,
        flags: set[str],
        notes: Mapping[str, str],
    ) -> list[str]:
        found = []
        if tier != static.tier:
            why = "; ".join(e.text.removeprefix("observed: ") for e in evidence if e.tier == tier)
            found.append(f"static says {static.tier}, the run says {tier}: {why}")
            return found
        if outcome == "passed" and static.tier in self.outside_tiers and not evidence:
            found.append(
                f"static says {static.tier}, but the run saw no outside access (mocked? "
                "faked? or a driver that connects in C, like psycopg, out of sight)"
            )
        if static.tier == self.names[0]:
            found.extend(
                f"static says {static.tier}, but it {notes[flag]}"
                for flag in (SLOW, HEAVY)
                if flag in notes
            )
        return found


def _phrases(access: Access) -> list[tuple[str, str]]:
    """(kind, phrase) for each kind of outside access; in-memory SQL is a note only."""
    found = [
        (kind, describe(kind, values, access.more.get(kind, 0))) for kind, values in access.kinds()
    ]
    if access.statements:
        found.append(("statements", f"issued {access.statements} SQL statements"))
    if access.memory_statements:
        found.append(
            (
                "memory",
                f"issued {access.memory_statements} SQL statements to an in-memory SQLite database",
            )
        )
    return found


def _outcome(runs: Sequence[TestProfile]) -> str:
    outcomes = {run.outcome for run in runs}
    for outcome in ("failed", "error", "passed"):
        if outcome in outcomes:
            return outcome
    return "skipped"


def verdict_counts(verdicts: Mapping[str, Verdict]) -> dict[str, int]:
    """Tests per outcome of the run (``not run`` included)."""
    counts: dict[str, int] = {}
    for verdict in verdicts.values():
        counts[verdict.outcome] = counts.get(verdict.outcome, 0) + 1
    return counts
