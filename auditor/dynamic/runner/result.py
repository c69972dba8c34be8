"""What a leak hunt found: plain data for the report renderers and the JSON contract."""

from __future__ import annotations

from dataclasses import dataclass, field

from auditor.dynamic.probes import Change
from auditor.dynamic.runner.database_guard import RestoredRows
from auditor.dynamic.runner.endings import Crash
from auditor.dynamic.runner.observations import Observations
from auditor.dynamic.runner.worktree import Restored


@dataclass(frozen=True)
class Pair:
    """``polluter`` leaves ``state`` behind and ``victim`` fails after it."""

    polluter: str
    victim: str
    state: tuple[Change, ...]
    reproduce: str
    found_by: str
    """``state`` (the leaked state matched what the victim reads) or ``bisection``."""

    def state_text(self) -> list[str]:
        if not self.state:
            return ["state not seen by the probes"]
        return [change.describe() for change in self.state]


@dataclass(frozen=True)
class Brittle:
    """Fails alone (or without ``setters``), passes after them."""

    nodeid: str
    setters: tuple[str, ...]
    state: tuple[Change, ...] = ()


@dataclass(frozen=True)
class Cleaner:
    """Undoes what ``polluter`` leaked, so ``victim`` passes when it runs between them."""

    nodeid: str
    polluter: str
    victim: str
    state: tuple[Change, ...] = ()


@dataclass(frozen=True)
class Flaky:
    """Fails and passes in the very same order: not order-dependent."""

    nodeid: str
    failures: int
    executions: int

    @property
    def failure_rate(self) -> float:
        return round(self.failures / self.executions, 3) if self.executions else 0.0


@dataclass(frozen=True)
class Round:
    label: str
    seed: int | None
    tests: int
    failures: tuple[str, ...]
    seconds: float


@dataclass
class LeakReport:
    """The whole hunt: rounds run, what was found, and what it cost."""

    rootdir: str
    seed: int
    rerun: str
    tests: int = 0
    rounds: list[Round] = field(default_factory=list)
    pairs: list[Pair] = field(default_factory=list)
    brittle: list[Brittle] = field(default_factory=list)
    cleaners: list[Cleaner] = field(default_factory=list)
    flaky: list[Flaky] = field(default_factory=list)
    failing: list[str] = field(default_factory=list)
    """Tests that fail in every order and alone: broken, not order-dependent."""
    unresolved: list[str] = field(default_factory=list)
    """Tests that failed in some order whose cause the budget did not allow to find."""
    crashed: list[Crash] = field(default_factory=list)
    """Tests during which pytest ended early (a crash, os._exit, an interrupt, the per-test
    timeout): the rest of their run went on in a new process without them, and they took
    no part in the hunt after that."""
    not_run: list[str] = field(default_factory=list)
    """Tests some run meant to run that never ran (the run could not go on)."""
    collection_errors: list[tuple[str, str]] = field(default_factory=list)
    """(node id, error) of the modules pytest could not collect: they took no part."""
    restored: list[Restored] = field(default_factory=list)
    """Files under the rootdir the suite created, changed or deleted, put back."""
    databases_restored: list[RestoredRows] = field(default_factory=list)
    """Tables, sequences and schemas of the ``--db-url`` database, and keys of the
    ``--redis-url`` Redis, the suite changed, put back (or not: ``restored`` False, with
    why)."""
    leaked: dict[str, tuple[Change, ...]] = field(default_factory=dict)
    """State each test left changed in the default order (polluters or not)."""
    notes: list[str] = field(default_factory=list)
    runs: list[tuple[str, int]] = field(default_factory=list)
    """Every pytest run: what it was for and how many tests it executed."""
    executions: int = 0
    spent: dict[str, int] = field(default_factory=dict)
    """Executions per phase: ``default order``, ``rounds``, ``pairs``, ``alone``,
    ``search``, ``brittle``, ``cleaners``, then ``flaky tests`` and ``unresolved`` (all that
    the tests that turned out flaky, or stayed unresolved, cost, whatever the runs were
    for)."""
    processes: int = 0
    seconds: float = 0.0
    shard: str = ""
    """``2/4`` when the hunt covered one shard of the suite (``--shard``)."""
    coverage: dict[str, dict[str, int]] | None = None
    """With ``--coverage``: per test of the default order, the project modules it ran and
    how many of their lines."""
    profile: Observations | None = None
    """Per test of the default order: time, peak memory, outside access (slow, heavy)."""

    def polluters(self) -> dict[str, list[Pair]]:
        found: dict[str, list[Pair]] = {}
        for pair in self.pairs:
            found.setdefault(pair.polluter, []).append(pair)
        return found

    def silent_state(self) -> list[tuple[str, int]]:
        """What the tests that broke no test left behind: each piece of state with how many
        of them changed it, most first (a cache every test fills is one line, not 60)."""
        polluters = self.polluters()
        counts: dict[str, set[str]] = {}
        for nodeid, changes in self.leaked.items():
            if nodeid not in polluters:
                for change in changes:
                    counts.setdefault(change.key, set()).add(nodeid)
        return sorted(((key, len(tests)) for key, tests in counts.items()), key=lambda e: -e[1])

    def victims(self) -> dict[str, list[Pair]]:
        found: dict[str, list[Pair]] = {}
        for pair in self.pairs:
            found.setdefault(pair.victim, []).append(pair)
        return found

    @property
    def found_anything(self) -> bool:
        return bool(
            self.pairs
            or self.brittle
            or self.flaky
            or self.unresolved
            or self.crashed
            or self.not_run
            or self.collection_errors
        )
