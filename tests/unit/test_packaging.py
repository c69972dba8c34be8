"""The wheel ships every package of the source tree (a package missing from
``[tool.setuptools] packages`` once built a wheel whose every ``scan`` crashed on import).

``.ci/check_wheel.py`` checks the built wheel itself; this test checks the configuration that
builds it, without a build."""

from __future__ import annotations

import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]


def _configured() -> tuple[set[str], dict[str, str]]:
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    return set(setuptools["packages"]), dict(setuptools.get("package-dir", {}))


def _folder_of(package: str, package_dir: dict[str, str]) -> Path:
    for mapped, folder in package_dir.items():
        if package == mapped or package.startswith(mapped + "."):
            rest = package[len(mapped) :].lstrip(".").split(".")
            return ROOT / folder / Path(*[part for part in rest if part])
    return ROOT / Path(*package.split("."))


def test_every_source_package_is_configured_to_ship():
    packages, package_dir = _configured()
    shipped_folders = {_folder_of(package, package_dir) for package in packages}
    source_folders = {
        init.parent
        for top in ("auditor", "rules")
        for init in (ROOT / top).rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    assert sorted(map(str, source_folders - shipped_folders)) == []
    assert sorted(map(str, shipped_folders - source_folders)) == []


def test_every_folder_with_python_code_is_a_package():
    """A folder of modules without ``__init__.py`` would be left out of the wheel silently."""
    loose = sorted(
        str(folder.relative_to(ROOT))
        for top in ("auditor", "rules")
        for folder in {path.parent for path in (ROOT / top).rglob("*.py")}
        if not (folder / "__init__.py").exists()
    )
    assert loose == []
