"""The plugin modules every test sees: pytest's builtins read from its source, installed
plugins found through their `pytest11` entry points, and `-p` options; nothing imported."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import _pytest
import pytest
from _pytest.config import default_plugins, essential_plugins

from auditor.model.imports import ModuleIndex
from auditor.model.plugin_sources import (
    PluginFile,
    builtin_plugins,
    entry_point_plugins,
    plugin_module_file,
    pytest_package_dir,
    pytest_version,
    session_plugins,
)

PYTEST_DIR = Path(_pytest.__file__).parent
EXPLODES = "raise RuntimeError('a plugin module must never be imported')\n"


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on sys.path with a distribution whose pytest11 entry points name a
    module that raises when imported, a module inside a package, and a missing module."""
    folder = tmp_path / "site"
    (folder / "acme_pkg").mkdir(parents=True)
    (folder / "acme_explodes.py").write_text(EXPLODES, encoding="utf-8")
    (folder / "acme_pkg" / "__init__.py").write_text(EXPLODES, encoding="utf-8")
    (folder / "acme_pkg" / "plugin.py").write_text(EXPLODES, encoding="utf-8")
    info = folder / "acme_pytest-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: acme-pytest\nVersion: 1.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        "[pytest11]\n"
        "acme = acme_explodes\n"
        "acme-pkg = acme_pkg.plugin:Hooks\n"
        "acme-missing = acme_not_installed\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    importlib.invalidate_caches()
    yield folder
    assert not {"acme_explodes", "acme_pkg", "acme_pkg.plugin"} & set(sys.modules)


def index_for(root: Path) -> ModuleIndex:
    """An index searching `root` (and sys.path as it is now)."""
    return ModuleIndex([root / "tests"], [root], lambda path: None)


def test_pytest_version_comes_from_its_metadata() -> None:
    major, minor = (int(part) for part in pytest.__version__.split(".")[:2])
    assert pytest_version() == (major, minor)


def test_pytest_package_dir() -> None:
    assert pytest_package_dir() == PYTEST_DIR


def test_builtin_plugins_are_pytests_own_list_in_order() -> None:
    plugins = builtin_plugins()
    # pytest 9 writes default_plugins as (*essential_plugins, ...): each name once
    expected = [
        name
        for name in dict.fromkeys((*essential_plugins, *default_plugins))
        if (PYTEST_DIR / f"{name}.py").is_file()  # packages (mark, assertion) hold no fixtures
    ]
    assert [p.name for p in plugins] == expected
    assert {"fixtures", "tmpdir", "monkeypatch", "capture"} <= {p.name for p in plugins}
    assert all(p.kind == "builtin" and p.path == PYTEST_DIR / f"{p.name}.py" for p in plugins)


def test_entry_point_plugins_are_located_as_files(site: Path) -> None:
    found = entry_point_plugins(index_for(site.parent), set())
    ours = {p.name: p for p in found if p.name.startswith("acme")}
    assert ours == {
        "acme": PluginFile("acme", site / "acme_explodes.py", "plugin"),
        "acme-pkg": PluginFile("acme-pkg", site / "acme_pkg" / "plugin.py", "plugin"),
    }


def test_disabled_entry_points(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    index = index_for(site.parent)
    names = [p.name for p in entry_point_plugins(index, {"acme"})]
    assert "acme" not in names
    assert "acme-pkg" in names
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    assert entry_point_plugins(index, set()) == []


def test_plugin_module_file(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "myplugin.py").write_text("", encoding="utf-8")
    (tmp_path / "tests" / "__init__.py").write_text("", encoding="utf-8")
    index = index_for(tmp_path)
    assert plugin_module_file("pytester", index) == PYTEST_DIR / "pytester.py"
    assert plugin_module_file("tests.myplugin", index) == tmp_path / "tests" / "myplugin.py"
    assert plugin_module_file("not_a_plugin_anywhere", index) is None


def test_session_plugins_in_registration_order_with_p_options(site: Path) -> None:
    root = site.parent
    (root / "local_plugin.py").write_text(EXPLODES, encoding="utf-8")
    addopts = (
        "-p",
        "no:monkeypatch",
        "-pno:acme-pkg",
        "-p",
        "local_plugin",
        "-p=acme_explodes",  # the same file as the entry point: listed once
        "-p",
        "pytester",
    )
    plugins = session_plugins(index_for(root), addopts)
    kinds = [p.kind for p in plugins]
    assert kinds == sorted(kinds)  # "builtin" first, then "plugin"
    names = [p.name for p in plugins]
    assert "monkeypatch" not in names
    assert "acme-pkg" not in names
    assert names.count("acme") == 1
    assert "acme_explodes" not in names
    assert names[-2:] == ["local_plugin", "pytester"]
    assert plugins[-2].path == root / "local_plugin.py"
    assert plugins[-1] == PluginFile("pytester", PYTEST_DIR / "pytester.py", "plugin")
    assert names.index("acme") < names.index("local_plugin")
    assert len({p.path for p in plugins}) == len(plugins)
    assert "local_plugin" not in sys.modules


def test_session_plugins_without_options(site: Path) -> None:
    plugins = session_plugins(index_for(site.parent), ())
    builtins = [p for p in plugins if p.kind == "builtin"]
    assert builtins == builtin_plugins()
    assert {"acme", "acme-pkg"} <= {p.name for p in plugins}
