"""test-auditor's own settings: the `[tool.test-auditor]` table of a pyproject.toml.

`auditor_settings` reads and checks the table (and its `leaks`, `profile`, `migrate`,
`signals`, `per-file-ignores` and `severity` sub-tables) into frozen dataclasses; a value of the
wrong kind is a `ConfigError` naming the key. Which pyproject.toml is read is decided by
`auditor.config.load_config`; the settings reach every stage as `Config.auditor`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from auditor.config_files import ConfigError, read_toml, table_at

DEFAULT_TIERS = ("unit", "integration", "performance")
DEFAULT_SIMILARITY = 0.7
SEVERITY_NAMES = ("info", "warning", "error")

_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "min": 60.0}
_KILOBYTES = {"kb": 1, "k": 1, "mb": 1024, "m": 1024, "gb": 1024 * 1024, "g": 1024 * 1024}


@dataclass(frozen=True, slots=True)
class LeaksSettings:
    """The `[tool.test-auditor.leaks]` table: defaults for `test-auditor leaks`."""

    rounds: int = 2
    budget: str | None = None
    db_url: str | None = None
    redis_url: str | None = None
    probes: tuple[str, ...] = ()
    """Probe names to run (empty: all)."""
    modules: tuple[str, ...] = ()
    """Module prefixes whose globals are probed besides those under the rootdir."""
    pytest_args: tuple[str, ...] = ()
    timeout: float | None = None
    """Seconds one pytest run may take."""


@dataclass(frozen=True, slots=True)
class ProfileSettings:
    """The `[tool.test-auditor.profile]` table: what a profiled run (`leaks`, `scan --run`)
    calls slow or heavy."""

    slow: float = 1.0
    """Seconds a test may take (setup, call and teardown, less wider fixtures' own time)."""
    slow_fixture: float = 2.0
    """Seconds one setup or teardown of a fixture may take."""
    heavy_kb: int = 100 * 1024
    """Kilobytes a test's peak memory may rise above where it started."""
    statements: int = 50
    """SQL statements a test may send before it is flagged (an N+1 query, a loop of inserts)."""
    slow_tier: str | None = None
    """The tier `scan --run` moves a slow test to (e.g. "performance"); none: slowness is a
    note, since a slow test is not a test that measures performance."""


DEFAULT_MIGRATE_LAYOUT = "tests/{tier}/{subpath}"


@dataclass(frozen=True, slots=True)
class MigrateSettings:
    """The `[tool.test-auditor.migrate]` table: where `test-auditor migrate` puts each tier."""

    layout: str = DEFAULT_MIGRATE_LAYOUT
    """Where a one-tier test module goes, relative to the rootdir: ``{tier}`` is the tier's
    folder, ``{subpath}`` the module's path below the part before ``{tier}`` (less a
    leading tier folder): ``tests/api/test_x.py`` -> ``tests/integration/api/test_x.py``."""
    folders: tuple[tuple[str, str], ...] = ()
    """Tier -> folder name, where it is not the tier's own name."""
    markers: tuple[tuple[str, str], ...] = ()
    """Tier -> marker name, where it is not the tier's own name."""

    def folder(self, tier: str) -> str:
        return dict(self.folders).get(tier, tier)

    def marker(self, tier: str) -> str:
        return dict(self.markers).get(tier, tier)


DEFAULT_PROJECT_REACH = 3


@dataclass(frozen=True, slots=True)
class AuditorSettings:
    """The `[tool.test-auditor]` table."""

    exclude: tuple[str, ...] = ()
    extend_exclude: tuple[str, ...] = ()
    cache_dir: str | None = None
    select: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    severity: tuple[tuple[str, str], ...] = ()
    fail_on: str = "warning"
    tiers: tuple[str, ...] = DEFAULT_TIERS
    """Tier names from the lightest (the default) to the heaviest."""
    signals: tuple[tuple[str, dict[str, object]], ...] = ()
    """`[tool.test-auditor.signals.ID]` tables: new signals, or changes to shipped ones."""
    in_memory_database: str | None = None
    """`in-memory-database`: the tier of a test whose engine, session or connection works
    on an in-memory database only (``create_engine("sqlite://")``, ``sqlite:///:memory:``),
    as the static tiers see it. None: the lightest tier (in-memory storage of one component
    is a unit test); a team that counts any real engine as integration sets
    ``in-memory-database = "integration"``. A file or server database is the storage
    signal's own tier (integration) either way."""
    project_reach: int = DEFAULT_PROJECT_REACH
    """`project-reach`: how many defs of the project's own modules (the code under test,
    under the rootdir and ``src/``) the static tiers follow a test's calls through
    (``test -> Repository.__init__ -> sqlite3.connect``); 0 keeps them to the suite's code."""
    duplicate_similarity: float = DEFAULT_SIMILARITY
    leaks: LeaksSettings = field(default_factory=LeaksSettings)
    profile: ProfileSettings = field(default_factory=ProfileSettings)
    migrate: MigrateSettings = field(default_factory=MigrateSettings)


def auditor_settings(pyproject: Path | None) -> AuditorSettings:
    """Read `[tool.test-auditor]` from a pyproject.toml, if there is one."""
    if pyproject is None or not pyproject.is_file():
        return AuditorSettings()
    table = table_at(read_toml(pyproject), "tool", "test-auditor")
    if table is None:
        return AuditorSettings()
    cache_dir = table.get("cache-dir")
    if cache_dir is not None and not isinstance(cache_dir, str):
        raise ConfigError(f"{pyproject}: [tool.test-auditor] cache-dir must be a string")
    fail_on = table.get("fail-on", "warning")
    if fail_on not in SEVERITY_NAMES:
        raise ConfigError(
            f"{pyproject}: [tool.test-auditor] fail-on must be one of {', '.join(SEVERITY_NAMES)}"
        )
    return AuditorSettings(
        exclude=_strings(table, "exclude", pyproject),
        extend_exclude=_strings(table, "extend-exclude", pyproject),
        cache_dir=cache_dir,
        select=_strings(table, "select", pyproject),
        extend_select=_strings(table, "extend-select", pyproject),
        ignore=_strings(table, "ignore", pyproject),
        per_file_ignores=_per_file_ignores(table, pyproject),
        severity=_severities(table, pyproject),
        fail_on=str(fail_on),
        tiers=_tiers(table, pyproject),
        signals=_signal_tables(table, pyproject),
        in_memory_database=_in_memory_database(table, pyproject),
        project_reach=_project_reach(table, pyproject),
        duplicate_similarity=_similarity(table, pyproject),
        leaks=_leaks(table, pyproject),
        profile=_profile(table, pyproject),
        migrate=_migrate(table, pyproject),
    )


def _strings(table: Mapping[str, object], key: str, path: Path) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: [tool.test-auditor] {key} must be a list of strings")
    return tuple(value)


def _leaks(table: Mapping[str, object], path: Path) -> LeaksSettings:
    leaks = table.get("leaks", {})
    if not isinstance(leaks, dict):
        raise ConfigError(f"{path}: [tool.test-auditor] leaks must be a table")
    where = f"{path}: [tool.test-auditor.leaks]"
    rounds = leaks.get("rounds", 2)
    if not isinstance(rounds, int) or isinstance(rounds, bool) or rounds < 0:
        raise ConfigError(f"{where} rounds must be a whole number >= 0")
    timeout = leaks.get("timeout")
    if timeout is not None and (
        not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout < 0
    ):
        raise ConfigError(f"{where} timeout must be a number of seconds (0: no limit)")
    texts = {}
    for key in ("budget", "db-url", "redis-url"):
        value = leaks.get(key)
        if value is not None and not isinstance(value, str | int):
            raise ConfigError(f"{where} {key} must be a string")
        texts[key] = None if value is None else str(value)
    unknown = set(leaks) - {
        "rounds",
        "budget",
        "db-url",
        "redis-url",
        "probes",
        "modules",
        "pytest-args",
        "timeout",
    }
    if unknown:
        raise ConfigError(f"{where} has unknown keys: {', '.join(sorted(unknown))}")
    return LeaksSettings(
        rounds=rounds,
        budget=texts["budget"],
        db_url=texts["db-url"],
        redis_url=texts["redis-url"],
        probes=_strings(leaks, "probes", path),
        modules=_strings(leaks, "modules", path),
        pytest_args=_strings(leaks, "pytest-args", path),
        timeout=None if timeout is None else float(timeout),
    )


def _migrate(table: Mapping[str, object], path: Path) -> MigrateSettings:
    migrate = table.get("migrate", {})
    if not isinstance(migrate, dict):
        raise ConfigError(f"{path}: [tool.test-auditor] migrate must be a table")
    where = f"{path}: [tool.test-auditor.migrate]"
    unknown = set(migrate) - {"layout", "folders", "markers"}
    if unknown:
        raise ConfigError(f"{where} has unknown keys: {', '.join(sorted(unknown))}")
    layout = migrate.get("layout", DEFAULT_MIGRATE_LAYOUT)
    if (
        not isinstance(layout, str)
        or "{tier}" not in layout
        or not layout.endswith("{subpath}")
        or layout.startswith("/")
        or ".." in layout.split("/")
    ):
        raise ConfigError(
            f"{where} layout must be a relative path with {{tier}} and ending in {{subpath}}, "
            f'such as "{DEFAULT_MIGRATE_LAYOUT}"'
        )
    tiers = _tiers(table, path)
    names = {}
    for key in ("folders", "markers"):
        value = migrate.get(key, {})
        if not isinstance(value, dict) or not all(
            isinstance(v, str) and v.strip() and "/" not in v for v in value.values()
        ):
            raise ConfigError(f"{where} {key} must map tier names to names")
        strangers = sorted(set(value) - set(tiers))
        if strangers:
            raise ConfigError(f"{where} {key} names unknown tiers: {', '.join(strangers)}")
        names[key] = tuple((str(k), str(v)) for k, v in value.items())
    return MigrateSettings(layout=layout, folders=names["folders"], markers=names["markers"])


def _quantity(value: object, units: Mapping[str, float], bare: str) -> float | None:
    """``"1.5s"``, ``"500ms"``, ``"100MB"`` or a bare number in the ``bare`` unit."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) * units[bare] if value >= 0 else None
    if not isinstance(value, str):
        return None
    text = value.strip().lower().replace(" ", "")
    number = text.rstrip("abcdefghijklmnopqrstuvwxyz")
    unit = text[len(number) :] or bare
    try:
        amount = float(number)
    except ValueError:
        return None
    return amount * units[unit] if unit in units and amount >= 0 else None


def _profile(table: Mapping[str, object], path: Path) -> ProfileSettings:
    profile = table.get("profile", {})
    if not isinstance(profile, dict):
        raise ConfigError(f"{path}: [tool.test-auditor] profile must be a table")
    where = f"{path}: [tool.test-auditor.profile]"
    unknown = set(profile) - {"slow", "slow-fixture", "heavy", "statements", "slow-tier"}
    if unknown:
        raise ConfigError(f"{where} has unknown keys: {', '.join(sorted(unknown))}")
    defaults = ProfileSettings()
    seconds = {}
    for key, default in (("slow", defaults.slow), ("slow-fixture", defaults.slow_fixture)):
        found = _quantity(profile.get(key, default), _SECONDS, "s")
        if found is None:
            raise ConfigError(f'{where} {key} must be a duration such as "1s" or "500ms"')
        seconds[key] = found
    heavy = _quantity(profile.get("heavy", defaults.heavy_kb / 1024), _KILOBYTES, "mb")
    if heavy is None:
        raise ConfigError(f'{where} heavy must be a size such as "100MB" (a number: MB)')
    statements = profile.get("statements", defaults.statements)
    if not isinstance(statements, int) or isinstance(statements, bool) or statements < 1:
        raise ConfigError(f"{where} statements must be a whole number >= 1")
    slow_tier = profile.get("slow-tier")
    if slow_tier is not None and (not isinstance(slow_tier, str) or not slow_tier.strip()):
        raise ConfigError(f"{where} slow-tier must be a tier name")
    tiers = _tiers(table, path)
    if slow_tier is not None and slow_tier not in tiers:
        raise ConfigError(f"{where} slow-tier {slow_tier!r} is not one of the tiers")
    return ProfileSettings(
        slow=seconds["slow"],
        slow_fixture=seconds["slow-fixture"],
        heavy_kb=round(heavy),
        statements=statements,
        slow_tier=slow_tier,
    )


def _tiers(table: Mapping[str, object], path: Path) -> tuple[str, ...]:
    tiers = _strings(table, "tiers", path) or DEFAULT_TIERS
    if len(set(tiers)) != len(tiers) or not all(t.strip() for t in tiers):
        raise ConfigError(f"{path}: [tool.test-auditor] tiers must be distinct, non-empty names")
    return tiers


def _in_memory_database(table: Mapping[str, object], path: Path) -> str | None:
    value = table.get("in-memory-database")
    if value is None:
        return None
    tiers = _tiers(table, path)
    if not isinstance(value, str) or value not in tiers:
        raise ConfigError(
            f"{path}: [tool.test-auditor] in-memory-database must be one of the tiers "
            f"({', '.join(tiers)})"
        )
    return value


def _project_reach(table: Mapping[str, object], path: Path) -> int:
    value = table.get("project-reach", DEFAULT_PROJECT_REACH)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10:
        raise ConfigError(
            f"{path}: [tool.test-auditor] project-reach must be a whole number from 0 to 10"
        )
    return value


def _signal_tables(
    table: Mapping[str, object], path: Path
) -> tuple[tuple[str, dict[str, object]], ...]:
    value = table.get("signals", {})
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise ConfigError(
            f"{path}: [tool.test-auditor] signals must hold one table per signal "
            "([tool.test-auditor.signals.NAME])"
        )
    return tuple((str(k), dict(v)) for k, v in value.items())


def _similarity(table: Mapping[str, object], path: Path) -> float:
    value = table.get("duplicate-similarity", DEFAULT_SIMILARITY)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        raise ConfigError(
            f"{path}: [tool.test-auditor] duplicate-similarity must be a number in (0, 1]"
        )
    return float(value)


def _per_file_ignores(
    table: Mapping[str, object], path: Path
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    value = table.get("per-file-ignores", {})
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: [tool.test-auditor] per-file-ignores must be a table")
    return tuple((pattern, _strings(value, pattern, path)) for pattern in value)


def _severities(table: Mapping[str, object], path: Path) -> tuple[tuple[str, str], ...]:
    value = table.get("severity", {})
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: [tool.test-auditor] severity must be a table")
    pairs: list[tuple[str, str]] = []
    for code, level in value.items():
        if level not in SEVERITY_NAMES:
            raise ConfigError(
                f"{path}: [tool.test-auditor.severity] {code} must be one of "
                f"{', '.join(SEVERITY_NAMES)}"
            )
        pairs.append((code, level))
    return tuple(pairs)
