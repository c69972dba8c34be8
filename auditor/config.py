"""pytest's own ini options and `[tool.test-auditor]`, found the way pytest finds them.

The rootdir and config file are located with pytest's algorithm (``determine_setup`` in
``_pytest/config/findpaths.py``): the common ancestor of the given paths, then upwards for
``pytest.toml``, ``.pytest.toml``, ``pytest.ini``, ``.pytest.ini``, ``pyproject.toml`` (with
``[tool.pytest]`` or ``[tool.pytest.ini_options]``), ``tox.ini`` (``[pytest]``) and
``setup.cfg`` (``[tool:pytest]``). Nothing here imports pytest.
"""

from __future__ import annotations

import configparser
import shlex
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from auditor.paths import absolute

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

DEFAULT_NORECURSEDIRS = (
    "*.egg",
    ".*",
    "_darcs",
    "build",
    "CVS",
    "dist",
    "node_modules",
    "venv",
    "{arch}",
)
DEFAULT_PYTHON_FILES = ("test_*.py", "*_test.py")
DEFAULT_PYTHON_CLASSES = ("Test",)
DEFAULT_PYTHON_FUNCTIONS = ("test",)

CONFIG_NAMES = (
    "pytest.toml",
    ".pytest.toml",
    "pytest.ini",
    ".pytest.ini",
    "pyproject.toml",
    "tox.ini",
    "setup.cfg",
)

RawOptions = Mapping[str, "str | list[str] | object"]


class ConfigError(ValueError):
    """A config file that cannot be read; reported in one line, exit code 2."""


DEFAULT_TIERS = ("unit", "integration", "performance")
DEFAULT_SIMILARITY = 0.7


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
    duplicate_similarity: float = DEFAULT_SIMILARITY
    leaks: LeaksSettings = field(default_factory=LeaksSettings)
    profile: ProfileSettings = field(default_factory=ProfileSettings)


@dataclass(frozen=True, slots=True)
class PytestOptions:
    """The ini options that decide collection and fixture visibility."""

    testpaths: tuple[str, ...] = ()
    python_files: tuple[str, ...] = DEFAULT_PYTHON_FILES
    python_classes: tuple[str, ...] = DEFAULT_PYTHON_CLASSES
    python_functions: tuple[str, ...] = DEFAULT_PYTHON_FUNCTIONS
    norecursedirs: tuple[str, ...] = DEFAULT_NORECURSEDIRS
    usefixtures: tuple[str, ...] = ()
    pythonpath: tuple[str, ...] = ()
    confcutdir: str | None = None
    addopts: tuple[str, ...] = ()
    markers: tuple[str, ...] = ()
    asyncio_default_fixture_loop_scope: str | None = None
    asyncio_mode: str | None = None


@dataclass(frozen=True, slots=True)
class Config:
    """Where the suite is rooted and how pytest is configured there."""

    rootdir: Path
    inifile: Path | None
    pytest: PytestOptions = field(default_factory=PytestOptions)
    auditor: AuditorSettings = field(default_factory=AuditorSettings)

    @property
    def confcutdir(self) -> Path:
        """pytest loads no conftest.py above this directory."""
        if self.pytest.confcutdir:
            base = self.inifile.parent if self.inifile else self.rootdir
            return absolute(self.pytest.confcutdir, base)
        return self.inifile.parent if self.inifile else self.rootdir


def _read_toml(path: Path) -> dict[str, object]:
    try:
        document: dict[str, object] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    return document


def _read_ini(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(path.read_text(encoding="utf-8"), source=str(path))
    except (configparser.Error, UnicodeDecodeError) as exc:
        first_line = str(exc).splitlines()[0]
        raise ConfigError(f"{path}: invalid ini file: {first_line}") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    return parser


def _table(document: Mapping[str, object], *keys: str) -> dict[str, object] | None:
    node: object = document
    for key in keys:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node if isinstance(node, dict) else None


def _pytest_options_in(path: Path) -> dict[str, object] | None:
    """The pytest options a config file holds, or None when it holds none."""
    name = path.name
    if name in ("pytest.toml", ".pytest.toml"):
        return _table(_read_toml(path), "pytest") or {}
    if name in ("pytest.ini", ".pytest.ini"):
        parser = _read_ini(path)
        return dict(parser["pytest"]) if parser.has_section("pytest") else {}
    if name == "pyproject.toml":
        document = _read_toml(path)
        tool_pytest = _table(document, "tool", "pytest")
        if tool_pytest is None:
            return None
        ini_options = _table(tool_pytest, "ini_options")
        native = {k: v for k, v in tool_pytest.items() if k != "ini_options"}
        if native and ini_options:
            raise ConfigError(
                f"{path}: cannot use both [tool.pytest] and [tool.pytest.ini_options]"
            )
        return native or ini_options
    if name == "tox.ini":
        parser = _read_ini(path)
        return dict(parser["pytest"]) if parser.has_section("pytest") else None
    if name == "setup.cfg":
        parser = _read_ini(path)
        if parser.has_section("tool:pytest"):
            return dict(parser["tool:pytest"])
        return None
    return None


def _common_ancestor(paths: Sequence[Path], invocation_dir: Path) -> Path:
    existing = [p for p in paths if p.exists()]
    if not existing:
        return invocation_dir
    ancestor = existing[0]
    for path in existing[1:]:
        while ancestor != path and ancestor not in path.parents:
            ancestor = ancestor.parent
    return ancestor.parent if ancestor.is_file() else ancestor


def _locate(start: Path) -> tuple[Path | None, Path | None, dict[str, object]]:
    first_pyproject: Path | None = None
    for base in (start, *start.parents):
        for name in CONFIG_NAMES:
            candidate = base / name
            if not candidate.is_file():
                continue
            if name == "pyproject.toml" and first_pyproject is None:
                first_pyproject = candidate
            options = _pytest_options_in(candidate)
            if options is not None:
                return base, candidate, options
    if first_pyproject is not None:
        return first_pyproject.parent, first_pyproject, {}
    return None, None, {}


def _as_args(value: object) -> tuple[str, ...]:
    """pytest's "args" ini type: a shell-split string or a list of strings."""
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    if isinstance(value, str):
        try:
            return tuple(shlex.split(value))
        except ValueError:
            return tuple(value.split())
    return (str(value),)


def _as_lines(value: object) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return tuple(line.strip() for line in str(value).splitlines() if line.strip())


def pytest_options(raw: Mapping[str, object]) -> PytestOptions:
    """Turn a config file's raw pytest table into typed options with pytest's defaults."""
    defaults = PytestOptions()

    def args(name: str, default: tuple[str, ...]) -> tuple[str, ...]:
        return _as_args(raw[name]) if name in raw else default

    confcutdir = raw.get("confcutdir")
    return PytestOptions(
        testpaths=args("testpaths", defaults.testpaths),
        python_files=args("python_files", defaults.python_files),
        python_classes=args("python_classes", defaults.python_classes),
        python_functions=args("python_functions", defaults.python_functions),
        norecursedirs=args("norecursedirs", defaults.norecursedirs),
        usefixtures=args("usefixtures", defaults.usefixtures),
        pythonpath=args("pythonpath", defaults.pythonpath),
        confcutdir=str(confcutdir) if confcutdir else None,
        addopts=args("addopts", defaults.addopts),
        markers=_as_lines(raw["markers"]) if "markers" in raw else (),
        asyncio_default_fixture_loop_scope=_optional(raw, "asyncio_default_fixture_loop_scope"),
        asyncio_mode=_optional(raw, "asyncio_mode"),
    )


def _optional(raw: Mapping[str, object], name: str) -> str | None:
    value = raw.get(name)
    return str(value).strip() if value is not None else None


def _strings(table: Mapping[str, object], key: str, path: Path) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: [tool.test-auditor] {key} must be a list of strings")
    return tuple(value)


def auditor_settings(pyproject: Path | None) -> AuditorSettings:
    """Read `[tool.test-auditor]` from a pyproject.toml, if there is one."""
    if pyproject is None or not pyproject.is_file():
        return AuditorSettings()
    table = _table(_read_toml(pyproject), "tool", "test-auditor")
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
        duplicate_similarity=_similarity(table, pyproject),
        leaks=_leaks(table, pyproject),
        profile=_profile(table, pyproject),
    )


def _leaks(table: Mapping[str, object], path: Path) -> LeaksSettings:
    leaks = table.get("leaks", {})
    if not isinstance(leaks, dict):
        raise ConfigError(f"{path}: [tool.test-auditor] leaks must be a table")
    where = f"{path}: [tool.test-auditor.leaks]"
    rounds = leaks.get("rounds", 2)
    if not isinstance(rounds, int) or isinstance(rounds, bool) or rounds < 0:
        raise ConfigError(f"{where} rounds must be a whole number >= 0")
    timeout = leaks.get("timeout")
    if timeout is not None and (not isinstance(timeout, int | float) or timeout <= 0):
        raise ConfigError(f"{where} timeout must be a number of seconds > 0")
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


_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "min": 60.0}
_KILOBYTES = {"kb": 1, "k": 1, "mb": 1024, "m": 1024, "gb": 1024 * 1024, "g": 1024 * 1024}


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


SEVERITY_NAMES = ("info", "warning", "error")


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


def _find_pyproject(start: Path) -> Path | None:
    for base in (start, *start.parents):
        candidate = base / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load_config(
    paths: Sequence[Path],
    *,
    invocation_dir: Path,
    config_file: Path | None = None,
    rootdir: Path | None = None,
) -> Config:
    """Locate the rootdir and config file for `paths` as pytest would, and read them."""
    given = [absolute(p, invocation_dir) for p in paths]
    dirs = [p if p.is_dir() else p.parent for p in given if p.exists()]
    ancestor = _common_ancestor(given, invocation_dir)
    found_root: Path | None
    inifile: Path | None
    if config_file is not None:
        if not config_file.is_file():
            raise ConfigError(f"{config_file}: config file not found")
        raw = _pytest_options_in(config_file) or {}
        found_root, inifile = config_file.parent, config_file
    else:
        found_root, inifile, raw = _locate(ancestor)
        if found_root is None:
            found_root, inifile, raw = _rootdir_without_config(ancestor, dirs, invocation_dir)
    root = absolute(rootdir or found_root, invocation_dir)
    pyproject = inifile if inifile and inifile.name == "pyproject.toml" else None
    return Config(
        rootdir=root,
        inifile=absolute(inifile, invocation_dir) if inifile else None,
        pytest=pytest_options(raw),
        auditor=auditor_settings(pyproject or _find_pyproject(ancestor)),
    )


def _rootdir_without_config(
    ancestor: Path, dirs: Sequence[Path], cwd: Path
) -> tuple[Path, Path | None, dict[str, object]]:
    """pytest's fallbacks: a setup.py upwards, a config file above any argument, or
    the common ancestor of the invocation dir and the arguments."""
    for candidate in (ancestor, *ancestor.parents):
        if (candidate / "setup.py").is_file():
            return candidate, None, {}
    if dirs and list(dirs) != [ancestor]:
        for directory in dirs:
            found_root, inifile, raw = _locate(directory)
            if found_root is not None:
                return found_root, inifile, raw
    return _common_ancestor([cwd, ancestor], cwd), None, {}
