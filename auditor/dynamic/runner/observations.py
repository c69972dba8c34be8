"""What a profiled run saw (:mod:`auditor.dynamic.plugin.profile`), per test and per fixture, and
what the thresholds of `[tool.test-auditor.profile]` flag in it.

A test's time is its setup, call and teardown less what wider-scoped fixtures spent setting
up or tearing down during it: a session fixture's 3 s is the fixture's, counted once, not the
time of whichever test happened to run first. What those fixtures reached (a database, a
subprocess) is theirs too, kept on the fixture; :func:`fixture_access` lets a reader give it
to the tests that use the fixture.

Plain data for the report renderers, `leaks` and `scan --run`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from auditor.config import ProfileSettings
from auditor.dynamic.profile_record import (
    ACCESS_KINDS,
    TEARDOWN,
    Access,
    FixtureEntry,
    ProfileRecord,
    ProfileRecordError,
)
from auditor.dynamic.record import SKIPPED, TestRecord

SLOW, HEAVY, STATEMENTS = "slow", "heavy", "statements"


def describe_access(access: Access) -> list[str]:
    """One phrase per kind: ``connected to 127.0.0.1:5432``, ``issued 12 SQL statements``."""
    phrases = [describe(kind, values, access.more.get(kind, 0)) for kind, values in access.kinds()]
    if access.statements:
        phrases.append(f"issued {_count(access.statements, 'SQL statement')}")
    if access.memory_statements:
        phrases.append(
            f"issued {_count(access.memory_statements, 'SQL statement')} "
            "to an in-memory SQLite database"
        )
    return phrases


def describe(kind: str, values: Sequence[str], more: int = 0) -> str:
    """``connected to 127.0.0.1:5432 and 10.0.0.7:6379``, ``ran `git` and `sh -c make```."""
    shown = {
        "connect": ("connected to", False),
        "lookup": ("looked up", False),
        "subprocess": ("ran", True),
        "write": ("wrote", False),
        "sqlite": ("opened the SQLite database", False),
    }
    verb, quoted = shown.get(kind, (kind, False))
    items = [f"`{v}`" if quoted else v for v in values[:3]]
    left = len(values) - len(items) + more
    text = ", ".join(items)
    if left:
        text += f" and {left} more"
    return f"{verb} {text}"


@dataclass(frozen=True, slots=True)
class TestProfile:
    """One executed test (the last execution of its node id)."""

    nodeid: str
    outcome: str
    seconds: float
    """Setup, call and teardown, less wider fixtures' own time."""
    peak_kb: int
    access: Access
    flags: tuple[str, ...] = ()
    """:data:`SLOW`, :data:`HEAVY`, :data:`STATEMENTS`."""

    @property
    def ran(self) -> bool:
        return self.outcome != SKIPPED


@dataclass(frozen=True, slots=True)
class FixtureProfile:
    """A fixture's setups and teardowns over the run, with what it reached (wider scopes)."""

    name: str
    scope: str
    where: str
    """``tests/conftest.py:12`` for the suite's fixtures, ``module:line`` for others."""
    setups: int = 0
    setup_seconds: float = 0.0
    teardown_seconds: float = 0.0
    slowest: float = 0.0
    """The longest single setup or teardown."""
    access: Access = field(default_factory=Access)
    flags: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        return self.where.rpartition(":")[0]


@dataclass(frozen=True, slots=True)
class Observations:
    """Everything a profiled run measured, with the thresholds it was judged by."""

    tests: dict[str, TestProfile]
    fixtures: tuple[FixtureProfile, ...]
    settings: ProfileSettings
    seconds: float = 0.0
    """Wall time of the run."""
    notes: tuple[str, ...] = ()
    """What went wrong in the run (pytest ended early, events the profile could not read)."""

    def flagged(self, flag: str) -> list[TestProfile]:
        """The tests with ``flag``, the worst first."""
        found = [t for t in self.tests.values() if flag in t.flags]
        key = {
            SLOW: lambda t: -t.seconds,
            HEAVY: lambda t: -t.peak_kb,
            STATEMENTS: lambda t: -t.access.statements,
        }[flag]
        return sorted(found, key=key)

    def slow_fixtures(self) -> list[FixtureProfile]:
        return sorted((f for f in self.fixtures if SLOW in f.flags), key=lambda f: -f.slowest)

    def external(self) -> list[TestProfile]:
        """Tests that reached outside the process themselves (not through wider fixtures)."""
        return [t for t in self.tests.values() if t.access.external]

    def external_fixtures(self) -> list[FixtureProfile]:
        return [f for f in self.fixtures if f.access.external]


def observe(
    records: Iterable[TestRecord],
    settings: ProfileSettings,
    seconds: float = 0.0,
    notes: Sequence[str] = (),
) -> Observations:
    """The profiles in ``records`` (those without one are left out)."""
    tests: dict[str, TestProfile] = {}
    fixtures: dict[tuple[str, str], _FixtureTotals] = {}
    unread = 0
    unreadable: list[str] = []
    for record in records:
        if not record.profile:
            continue
        try:
            profile = ProfileRecord.from_json(record.profile)
        except ProfileRecordError as exc:
            unreadable.append(f"{record.nodeid} ({exc})")
            continue
        unread += profile.errors
        wider = 0.0
        for entry in profile.fixtures:
            key = (entry.name, entry.where)
            totals = fixtures.setdefault(key, _FixtureTotals(entry.scope))
            totals.add(entry)
            if entry.scope != "function":
                wider += entry.seconds
        own = max(0.0, sum(record.durations.values()) - wider)
        peak = profile.peak_kb
        access = profile.access
        flags = []
        if own >= settings.slow:
            flags.append(SLOW)
        if peak >= settings.heavy_kb:
            flags.append(HEAVY)
        if access.statements + access.memory_statements >= settings.statements:
            flags.append(STATEMENTS)
        tests[record.nodeid] = TestProfile(
            record.nodeid, record.outcome, own, peak, access, tuple(flags)
        )
    found = tuple(
        totals.profile(name, where, settings) for (name, where), totals in fixtures.items()
    )
    if unread:
        notes = [*notes, f"{unread} audit events had a shape the profile could not read"]
    if unreadable:
        notes = [
            *notes,
            f"profiles left out, not as the plugin writes them: {unreadable[0]}"
            + (f" and {len(unreadable) - 1} more" if len(unreadable) > 1 else ""),
        ]
    return Observations(tests, found, settings, seconds, tuple(notes))


def fixture_access(observations: Observations) -> dict[tuple[str, str], Access]:
    """What each wider fixture reached while it set up or tore down, by (its path, its
    name): ``tests/conftest.py``, ``db``. Fixtures that reached outside the process, and
    those whose only work was SQL to an in-memory SQLite database (evidence that the
    database of the tests using them lives in memory)."""
    return {
        (fixture.path, fixture.name): fixture.access
        for fixture in observations.fixtures
        if fixture.access.external or fixture.access.memory_statements
    }


@dataclass
class _FixtureTotals:
    scope: str
    setups: int = 0
    setup_seconds: float = 0.0
    teardown_seconds: float = 0.0
    slowest: float = 0.0
    access: Access = field(default_factory=Access)

    def add(self, entry: FixtureEntry) -> None:
        if entry.phase == TEARDOWN:
            self.teardown_seconds += entry.seconds
        else:
            self.setups += 1
            self.setup_seconds += entry.seconds
        self.slowest = max(self.slowest, entry.seconds)
        self.access = self.access.merged(entry.access)

    def profile(self, name: str, where: str, settings: ProfileSettings) -> FixtureProfile:
        flags = (SLOW,) if self.slowest >= settings.slow_fixture else ()
        return FixtureProfile(
            name,
            self.scope,
            where,
            self.setups,
            self.setup_seconds,
            self.teardown_seconds,
            self.slowest,
            self.access,
            flags,
        )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


__all__ = [
    "ACCESS_KINDS",
    "HEAVY",
    "SLOW",
    "STATEMENTS",
    "Access",
    "FixtureProfile",
    "Observations",
    "TestProfile",
    "describe",
    "describe_access",
    "fixture_access",
    "observe",
]
