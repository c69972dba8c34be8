"""The plugin modules whose fixtures every test can see, located without importing them.

pytest's builtin fixtures come from the installed pytest's own plugin modules (its
`default_plugins` list, read from `_pytest/config/__init__.py` as source); third-party
plugins are the `pytest11` entry points of installed distributions, read from their metadata
and located on `sys.path` as files. Options in `addopts` (`-p NAME`, `-p no:NAME`) and
`PYTEST_DISABLE_PLUGIN_AUTOLOAD` are honoured.
"""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from auditor.model.imports import ModuleIndex


@dataclass(frozen=True, slots=True)
class PluginFile:
    """One plugin module: `kind` is "builtin" or "plugin"; `name` its plugin name."""

    name: str
    path: Path
    kind: str


def pytest_version() -> tuple[int, int]:
    """(major, minor) of the installed pytest, from its metadata (nothing imported)."""
    try:
        text = importlib.metadata.version("pytest")
    except importlib.metadata.PackageNotFoundError:
        return (0, 0)
    major, minor = ([int(p) for p in text.split(".")[:2] if p.isdigit()] + [0, 0])[:2]
    return major, minor


def pytest_package_dir() -> Path | None:
    """The installed `_pytest` package folder (found by spec, not imported)."""
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


def builtin_plugins() -> list[PluginFile]:
    pytest_dir = pytest_package_dir()
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


def entry_point_plugins(index: ModuleIndex, disabled: set[str]) -> list[PluginFile]:
    if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
        return []
    found: list[PluginFile] = []
    for entry in importlib.metadata.entry_points(group="pytest11"):
        if entry.name in disabled:
            continue
        module = entry.value.partition(":")[0].strip()
        path = index.find(module)
        if path is not None:
            found.append(PluginFile(entry.name, path, "plugin"))
    return found


def plugin_module_file(name: str, index: ModuleIndex, importer: Path | None = None) -> Path | None:
    """A `-p NAME` / `pytest_plugins` entry: a builtin plugin name or a module path."""
    pytest_dir = pytest_package_dir()
    if pytest_dir is not None and "." not in name and (pytest_dir / f"{name}.py").is_file():
        return pytest_dir / f"{name}.py"
    return index.find(name, importer=importer)


def session_plugins(index: ModuleIndex, addopts: Sequence[str]) -> list[PluginFile]:
    """Builtins, then entry-point plugins, then `-p` plugins: pytest's registration order."""
    requested = _option_values(addopts, "-p")
    disabled = {v[3:] for v in requested if v.startswith("no:")}
    plugins = [p for p in builtin_plugins() if p.name not in disabled]
    plugins += entry_point_plugins(index, disabled)
    for name in requested:
        if name.startswith("no:"):
            continue
        path = plugin_module_file(name, index)
        if path is not None:
            plugins.append(PluginFile(name, path, "plugin"))
    seen: set[Path] = set()
    unique: list[PluginFile] = []
    for plugin in plugins:
        if plugin.path not in seen:
            seen.add(plugin.path)
            unique.append(plugin)
    return unique
