"""The plugin modules whose fixtures every test can see, located without importing them.

pytest's builtin fixtures come from the installed pytest's own plugin modules (its
`default_plugins` list, read from `_pytest/config/__init__.py` as source); third-party
plugins are the `pytest11` entry points of installed distributions, read from their metadata
and located on `sys.path` as files. Options in `addopts` (`-p NAME`, `-p no:NAME`) and
`PYTEST_DISABLE_PLUGIN_AUTOLOAD` are honoured.

When the suite has an environment of its own (`auditor.model.environment`), pytest and the
entry points are those installed there: the ``_pytest`` package in its site-packages, the
version in ``pytest-*.dist-info``, the ``[pytest11]`` sections of every
``*.dist-info/entry_points.txt`` (and ``*.egg-info``), read as text and never imported.
"""

from __future__ import annotations

import ast
import configparser
import importlib.metadata
import importlib.util
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from auditor.model.environment import SuiteEnvironment
from auditor.model.imports import ModuleIndex


@dataclass(frozen=True, slots=True)
class PluginFile:
    """One plugin module: `kind` is "builtin" or "plugin"; `name` its plugin name."""

    name: str
    path: Path
    kind: str


def pytest_version(env: SuiteEnvironment | None = None) -> tuple[int, int]:
    """(major, minor) of the installed pytest, from its metadata (nothing imported)."""
    text = _foreign_pytest_version(env) if env is not None and not env.own else ""
    if not text:  # test-auditor's own pytest, also when the suite's has none
        try:
            text = importlib.metadata.version("pytest")
        except importlib.metadata.PackageNotFoundError:
            text = ""
    if not text:
        return (0, 0)
    major, minor = ([int(p) for p in text.split(".")[:2] if p.isdigit()] + [0, 0])[:2]
    return major, minor


def _foreign_pytest_version(env: SuiteEnvironment) -> str:
    for site in env.search_roots:
        for info in sorted(site.glob("pytest-*.dist-info")):
            name, version = _metadata_name_version(info / "METADATA")
            if _normalized(name) == "pytest" and version:
                return version
    return ""


def _metadata_name_version(path: Path) -> tuple[str, str]:
    """The `Name` and `Version` headers of a distribution's METADATA file."""
    headers: dict[str, str] = {}
    try:
        with path.open(encoding="utf-8", errors="replace") as lines:
            for line in lines:
                if not line.strip():
                    break
                key, _, value = line.partition(":")
                if key in ("Name", "Version"):
                    headers.setdefault(key, value.strip())
    except OSError:
        pass
    return headers.get("Name", ""), headers.get("Version", "")


def pytest_package_dir(env: SuiteEnvironment | None = None) -> Path | None:
    """The installed `_pytest` package folder (found by spec, not imported)."""
    if env is not None and not env.own:
        for site in env.search_roots:
            if (site / "_pytest" / "__init__.py").is_file():
                return site / "_pytest"
    # test-auditor's own pytest, also when the suite's environment has none
    spec = importlib.util.find_spec("_pytest")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _default_plugin_names(pytest_dir: Path) -> tuple[str, ...]:
    """`essential_plugins + default_plugins` as written in pytest's config module."""
    source = (pytest_dir / "config" / "__init__.py").read_text(encoding="utf-8")
    # parsing only the two assignments spares parsing a 2000-line module on every run
    snippets = re.findall(
        r"^(?:essential|default)_plugins\s*=.*?^\)", source, flags=re.MULTILINE | re.DOTALL
    )
    try:
        body = ast.parse("\n".join(snippets)).body if len(snippets) == 2 else []
    except SyntaxError:
        body = []
    tuples: dict[str, tuple[str, ...]] = {}
    for node in body or ast.parse(source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id in (
                "essential_plugins",
                "default_plugins",
            ):
                tuples[target.id] = _strings(node.value)
    return tuples.get("essential_plugins", ()) + tuples.get("default_plugins", ())


def _strings(node: ast.expr) -> tuple[str, ...]:
    if isinstance(node, ast.Tuple | ast.List):
        return tuple(
            e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _strings(node.left) + _strings(node.right)
    return ()


def builtin_plugins(env: SuiteEnvironment | None = None) -> list[PluginFile]:
    pytest_dir = pytest_package_dir(env)
    if pytest_dir is None:
        return []
    found: list[PluginFile] = []
    for name in _default_plugin_names(pytest_dir):
        path = pytest_dir / f"{name}.py"
        if path.is_file():
            found.append(PluginFile(name, path, "builtin"))
    return found


def _option_values(addopts: Sequence[str], flag: str) -> list[str]:
    values: list[str] = []
    for index, arg in enumerate(addopts):
        if arg == flag and index + 1 < len(addopts):
            values.append(addopts[index + 1])
        elif arg.startswith(flag) and len(arg) > len(flag):
            values.append(arg[len(flag) :].lstrip("="))
    return values


def entry_point_plugins(
    index: ModuleIndex, disabled: set[str], env: SuiteEnvironment | None = None
) -> list[PluginFile]:
    if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
        return []
    if env is not None and not env.own:
        entries = pytest11_entry_points(env.search_roots)
    else:
        entries = [(e.name, e.value) for e in importlib.metadata.entry_points(group="pytest11")]
    found: list[PluginFile] = []
    for name, value in entries:
        if name in disabled:
            continue
        module = value.partition(":")[0].strip()
        path = index.find(module)
        if path is not None:
            found.append(PluginFile(name, path, "plugin"))
    return found


def pytest11_entry_points(site_dirs: Sequence[Path]) -> list[tuple[str, str]]:
    """(name, module) of every ``pytest11`` entry point installed in `site_dirs`, read
    from the distributions' metadata files; a distribution found twice counts once (the
    first, as `importlib.metadata` does)."""
    found: list[tuple[str, str]] = []
    seen: set[str] = set()
    for site in site_dirs:
        infos = [*site.glob("*.dist-info"), *site.glob("*.egg-info")]
        for info in sorted(infos):
            distribution = _normalized(info.name.split("-")[0])
            if distribution in seen:
                continue
            seen.add(distribution)
            parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
            parser.optionxform = str  # type: ignore[assignment,method-assign]
            try:
                parser.read(info / "entry_points.txt", encoding="utf-8")
            except (configparser.Error, UnicodeDecodeError):
                continue
            if parser.has_section("pytest11"):
                found.extend(parser.items("pytest11"))
    return found


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def plugin_module_file(
    name: str,
    index: ModuleIndex,
    importer: Path | None = None,
    env: SuiteEnvironment | None = None,
) -> Path | None:
    """A `-p NAME` / `pytest_plugins` entry: a builtin plugin name or a module path."""
    pytest_dir = pytest_package_dir(env)
    if pytest_dir is not None and "." not in name and (pytest_dir / f"{name}.py").is_file():
        return pytest_dir / f"{name}.py"
    return index.find(name, importer=importer)


def session_plugins(
    index: ModuleIndex, addopts: Sequence[str], env: SuiteEnvironment | None = None
) -> list[PluginFile]:
    """Builtins, then entry-point plugins, then `-p` plugins: pytest's registration order."""
    requested = _option_values(addopts, "-p")
    disabled = {v[3:] for v in requested if v.startswith("no:")}
    plugins = [p for p in builtin_plugins(env) if p.name not in disabled]
    plugins += entry_point_plugins(index, disabled, env)
    for name in requested:
        if name.startswith("no:"):
            continue
        path = plugin_module_file(name, index, env=env)
        if path is not None:
            plugins.append(PluginFile(name, path, "plugin"))
    seen: set[Path] = set()
    unique: list[PluginFile] = []
    for plugin in plugins:
        if plugin.path not in seen:
            seen.add(plugin.path)
            unique.append(plugin)
    return unique
