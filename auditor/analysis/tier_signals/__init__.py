"""Signal packs: the data that tells a test's tier, one TOML file per part of the stack.

Each table in a pack is one signal, keyed ``pack.table`` (``databases.sqlalchemy-engine``).
A signal names the tier it points to (none for a mock), what it means in words, a family
(mocks neutralise signals of the families they name), and what to match:

- ``calls``: qualified names called or used as decorators (``sqlalchemy.create_engine``;
  ``moto.*`` matches a whole package); a patch target naming one counts as a mock of it;
- ``methods``: method names on any receiver (``create_all``);
- ``fixtures``: fixture names, when the fixture comes from a plugin or a library module
  rather than from the suite's own conftests, test and helper modules (whose bodies are
  read); ``factories``: those of them that hand the test a factory, which reaches out
  only when called (``aiohttp_client(app)``): requested and never called, they count
  for nothing;
- ``bases``: base classes of the test's class; ``marks``: marks; ``folders``: folder
  names in the test's path; ``names``: ``_``-separated words of the test file's name;
- ``prefixes``: the start of a called name's last part (``Fake`` for ``FakeGateway()``);
- ``constructors``: those of ``calls`` that count only when the same def also calls one
  of the ``requests`` methods (a client made but never used reaches nothing);
- ``timers`` (with an ordering assert: a duration check), ``concurrency`` (with a loop of
  at least ``iterations``: a load loop), ``opens`` (``open(literal, "w")``);
- ``reads``: reading a file of the project outside the temporary folders
  (``open("pyproject.toml")``, ``Path(__file__).parents[1] / "README.md"`` read);
- ``clients``: constructing a client class of the suite's or the project's own code that
  answers HTTP verbs (a home-grown framework's in-process ``TestClient(app)``).

``lazy = true`` marks what makes a factory that connects only when used (a
``sessionmaker``): evidence in the suite's own code, where the test goes on to use it,
not when met deep in the project's code (`auditor.analysis.tier_reach`).

``storage = true`` marks what reaches stored data (an engine, a session, schema DDL, a
DB-API connection): where the data lives decides its tier. The database URLs the test's
code names (`auditor.analysis.tier_reach.database_url`) are read with it: every one
in-memory SQLite (``sqlite://``, ``sqlite:///:memory:``) makes it the
``in-memory-database`` tier of ``[tool.test-auditor]`` (default: the lightest), a file or
a server URL adds evidence of its own, none leaves the signal's tier.

``located = true`` marks a storage call given where its data lives (a DB-API
``connect(path)``, ``create_engine(url)``): made in the suite's own code with no URL of
the suite's in sight, the defaults the project's code names do not tell where it goes,
and it keeps its tier.

``intent = true`` marks what shows a test is there to measure (a benchmark, a timed
assertion, a performance mark): it decides the tier over anything the test reaches.
``measured = true`` makes a folder or name signal count only for a test that reads a
clock, loops or runs things concurrently.

`[tool.test-auditor.signals.ID]` tables add signals or change shipped ones field by field
(``enabled = false`` drops one); `tiers` in `[tool.test-auditor]` names the tiers, lightest
first. A signal whose tier is not configured uses its ``fallback`` tier, or is dropped.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from importlib import resources

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

from auditor.config import AuditorSettings, ConfigError

_LISTS = (
    "calls",
    "methods",
    "fixtures",
    "bases",
    "marks",
    "folders",
    "names",
    "timers",
    "concurrency",
    "mocks",
    "prefixes",
    "constructors",
    "requests",
    "factories",
)
_TEXTS = ("tier", "what", "family", "fallback")


@dataclass(frozen=True, slots=True)
class Signal:
    id: str
    what: str
    tier: str = ""
    family: str = ""
    fallback: str = ""
    calls: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()
    fixtures: tuple[str, ...] = ()
    bases: tuple[str, ...] = ()
    marks: tuple[str, ...] = ()
    folders: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    timers: tuple[str, ...] = ()
    concurrency: tuple[str, ...] = ()
    mocks: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    constructors: tuple[str, ...] = ()
    requests: tuple[str, ...] = ()
    factories: tuple[str, ...] = ()
    iterations: int = 20
    opens: bool = False
    reads: bool = False
    clients: bool = False
    lazy: bool = False
    intent: bool = False
    measured: bool = False
    storage: bool = False
    located: bool = False


@dataclass(frozen=True, slots=True)
class SignalSet:
    """The signals in force, indexed for matching."""

    tiers: tuple[str, ...]
    signals: tuple[Signal, ...]
    in_memory_tier: str = ""
    """The tier of `storage` signals on an in-memory database ("": the lightest tier)."""
    project_reach: int = 3
    """How many defs of the project's own modules a test's calls are followed through."""
    _calls: dict[str, list[Signal]] = field(init=False, repr=False, compare=False)
    _prefixes: list[tuple[str, Signal]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        calls: dict[str, list[Signal]] = {}
        prefixes: list[tuple[str, Signal]] = []
        for signal in self.signals:
            for name in signal.calls:
                if name.endswith(".*"):
                    prefixes.append((name[:-1], signal))
                else:
                    calls.setdefault(name, []).append(signal)
        object.__setattr__(self, "_calls", calls)
        object.__setattr__(self, "_prefixes", prefixes)

    def by_call(self, name: str) -> list[Signal]:
        """Signals whose `calls` name `name` exactly or as a package prefix."""
        found = list(self._calls.get(name, ()))
        found.extend(s for prefix, s in self._prefixes if name.startswith(prefix))
        return found

    def with_field(self, field: str) -> list[Signal]:
        return [s for s in self.signals if getattr(s, field)]


def shipped_packs() -> dict[str, dict[str, object]]:
    """Every table of every shipped pack, by signal id."""
    tables: dict[str, dict[str, object]] = {}
    folder = resources.files(__name__)
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        pack = entry.name.removesuffix(".toml")
        document = tomllib.loads(entry.read_text(encoding="utf-8"))
        for key, table in document.items():
            if isinstance(table, dict):
                tables[f"{pack}.{key}"] = dict(table)
    return tables


def load_signals(settings: AuditorSettings) -> SignalSet:
    """The shipped packs with the configuration's additions and changes applied."""
    tables = shipped_packs()
    for signal_id, changes in settings.signals:
        key = signal_id if signal_id in tables else _short(signal_id, tables) or signal_id
        tables[key] = {**tables.get(key, {}), **changes}
    configured = {k for k, _ in settings.signals}
    signals: list[Signal] = []
    for signal_id, table in tables.items():
        if table.get("enabled", True) is False:
            continue
        signal = _signal(signal_id, table)
        tier = _tier(signal, settings.tiers)
        if tier is None and signal_id in configured:
            raise ConfigError(
                f"signal {signal_id}: tier {signal.tier!r} is not one of the configured "
                f"tiers ({', '.join(settings.tiers)})"
            )
        if tier is not None:
            signals.append(signal if tier == signal.tier else replace(signal, tier=tier))
    in_memory = settings.in_memory_database or settings.tiers[0]
    if in_memory not in settings.tiers:
        raise ConfigError(
            f"in-memory-database: tier {in_memory!r} is not one of the configured "
            f"tiers ({', '.join(settings.tiers)})"
        )
    return SignalSet(settings.tiers, tuple(signals), in_memory, settings.project_reach)


def _short(name: str, tables: Mapping[str, object]) -> str | None:
    """``sqlalchemy-engine`` for ``databases.sqlalchemy-engine``, when unambiguous."""
    matches = [k for k in tables if k.partition(".")[2] == name]
    return matches[0] if len(matches) == 1 else None


def _signal(signal_id: str, table: Mapping[str, object]) -> Signal:
    known = {f.name for f in fields(Signal)} | {"enabled"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"signal {signal_id}: unknown keys {', '.join(unknown)}")
    values: dict[str, object] = {"id": signal_id}
    for key in _LISTS:
        if key in table:
            values[key] = tuple(_string_list(signal_id, key, table[key]))
    for key in _TEXTS:
        if key in table:
            if not isinstance(table[key], str):
                raise ConfigError(f"signal {signal_id}: {key} must be a string")
            values[key] = table[key]
    if "iterations" in table:
        iterations = table["iterations"]
        if not isinstance(iterations, int) or isinstance(iterations, bool) or iterations < 1:
            raise ConfigError(f"signal {signal_id}: iterations must be a positive integer")
        values["iterations"] = iterations
    for key in ("opens", "reads", "clients", "lazy", "intent", "measured", "storage", "located"):
        if key in table:
            if not isinstance(table[key], bool):
                raise ConfigError(f"signal {signal_id}: {key} must be true or false")
            values[key] = table[key]
    if "what" not in values:
        raise ConfigError(f"signal {signal_id}: needs `what` (what the signal means, in words)")
    return Signal(**values)  # type: ignore[arg-type]


def _string_list(signal_id: str, key: str, value: object) -> Iterable[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"signal {signal_id}: {key} must be a list of strings")
    return value


def _tier(signal: Signal, tiers: tuple[str, ...]) -> str | None:
    if not signal.tier:
        if not signal.mocks:
            raise ConfigError(f"signal {signal.id}: needs a `tier` (one of {', '.join(tiers)})")
        return ""
    if signal.tier in tiers:
        return signal.tier
    if signal.fallback in tiers:
        return signal.fallback
    return None
