"""pytest's own configuration, found the way pytest finds it, and the `Config` of a run.

The rootdir and config file are located with pytest's algorithm (``determine_setup`` in
``_pytest/config/findpaths.py``): the common ancestor of the given paths, then upwards for
``pytest.toml``, ``.pytest.toml``, ``pytest.ini``, ``.pytest.ini``, ``pyproject.toml`` (with
``[tool.pytest]`` or ``[tool.pytest.ini_options]``), ``tox.ini`` (``[pytest]``) and
``setup.cfg`` (``[tool:pytest]``). The ini options that decide collection are read into
`PytestOptions`; test-auditor's own ``[tool.test-auditor]`` table is read by
`auditor.settings`, whose dataclasses are re-exported here as the types of `Config`'s
fields. Nothing here imports pytest.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from auditor.config_files import ConfigError, read_ini, read_toml, table_at
from auditor.paths import absolute
from auditor.settings import AuditorSettings, LeaksSettings, ProfileSettings, auditor_settings

__all__ = [
    "CONFIG_NAMES",
    "DEFAULT_NORECURSEDIRS",
    "DEFAULT_PYTHON_CLASSES",
    "DEFAULT_PYTHON_FILES",
    "DEFAULT_PYTHON_FUNCTIONS",
    "AuditorSettings",
    "Config",
    "ConfigError",
    "LeaksSettings",
    "ProfileSettings",
    "PytestOptions",
    "RawOptions",
    "load_config",
    "pytest_options",
]

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


def _pytest_options_in(path: Path) -> dict[str, object] | None:
    """The pytest options a config file holds, or None when it holds none."""
    name = path.name
    if name in ("pytest.toml", ".pytest.toml"):
        return table_at(read_toml(path), "pytest") or {}
    if name in ("pytest.ini", ".pytest.ini"):
        parser = read_ini(path)
        return dict(parser["pytest"]) if parser.has_section("pytest") else {}
    if name == "pyproject.toml":
        document = read_toml(path)
        tool_pytest = table_at(document, "tool", "pytest")
        if tool_pytest is None:
            return None
        ini_options = table_at(tool_pytest, "ini_options")
        native = {k: v for k, v in tool_pytest.items() if k != "ini_options"}
        if native and ini_options:
            raise ConfigError(
                f"{path}: cannot use both [tool.pytest] and [tool.pytest.ini_options]"
            )
        return native or ini_options
    if name == "tox.ini":
        parser = read_ini(path)
        return dict(parser["pytest"]) if parser.has_section("pytest") else None
    if name == "setup.cfg":
        parser = read_ini(path)
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
