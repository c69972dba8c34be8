"""The suite's own Python environment: whose pytest and installed plugins the model reads.

test-auditor often runs from an environment of its own (pipx, pre-commit's virtualenv, a
tools venv) while the suite runs in another, with other plugins and another pytest. The
suite's interpreter is, in this order: `--python` (an interpreter or a virtualenv folder),
``VIRTUAL_ENV`` when it is not test-auditor's own, a ``.venv`` or ``venv`` virtualenv in
the rootdir; else test-auditor's own. Its site-packages are found from the files alone
(``pyvenv.cfg``, ``lib/pythonX.Y/site-packages``, ``*.pth`` path lines): nothing in that
environment is imported or run. `auditor.model.plugin_sources` reads the pytest and the
``pytest11`` entry points found there.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

OWN = "test-auditor's own interpreter"


@dataclass(frozen=True, slots=True)
class SuiteEnvironment:
    """An interpreter whose installed distributions the model reads."""

    python: str
    """The interpreter (or virtualenv folder) as found."""
    found_by: str
    """Why this one: ``--python``, ``VIRTUAL_ENV``, ``.venv in the rootdir``, or `OWN`."""
    site_packages: tuple[Path, ...] = ()
    """Its site-packages folders (empty for test-auditor's own: `sys.path` is used)."""
    path_entries: tuple[Path, ...] = field(default=(), repr=False)
    """Folders its ``*.pth`` files add (editable installs), searched after site-packages."""

    @property
    def own(self) -> bool:
        return self.found_by == OWN

    @property
    def search_roots(self) -> tuple[Path, ...]:
        """Where its modules are found, in `sys.path` order."""
        if self.own:
            return tuple(Path(p) for p in sys.path if p and Path(p).is_dir())
        return (*self.site_packages, *self.path_entries)

    def describe(self) -> str:
        """One line for the report: whose plugins were read."""
        if self.own:
            return f"{OWN} ({self.python})"
        where = ", ".join(str(p) for p in self.site_packages) or "no site-packages found"
        return f"{self.python} ({self.found_by}; {where})"


def own_environment() -> SuiteEnvironment:
    return SuiteEnvironment(sys.executable, OWN)


def find_environment(
    rootdir: Path,
    python: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> SuiteEnvironment:
    """The suite's environment (see the module's docstring for the order)."""
    env = os.environ if environ is None else environ
    candidates: list[tuple[str, Path]] = []
    if python:
        candidates.append(("--python", Path(python)))
    elif env.get("VIRTUAL_ENV"):
        candidates.append(("VIRTUAL_ENV", Path(env["VIRTUAL_ENV"])))
    for name in (".venv", "venv"):
        if (rootdir / name / "pyvenv.cfg").is_file():
            candidates.append((f"{name} in the rootdir", rootdir / name))
    for found_by, path in candidates:
        environment = _environment_at(path, found_by)
        if environment is not None and (not environment.own or found_by == "--python"):
            return environment
    return own_environment()


def _is_own(prefix: Path) -> bool:
    try:
        return prefix.resolve() == Path(sys.prefix).resolve()
    except OSError:
        return False


def _environment_at(path: Path, found_by: str) -> SuiteEnvironment | None:
    """The environment of an interpreter or virtualenv folder; None when there is none
    (a `--python` that does not exist still names the environment, with no plugins)."""
    prefix = venv_prefix(path)
    if prefix is None:
        if not path.exists():
            if found_by != "--python":
                return None
            return SuiteEnvironment(str(path), found_by)
        prefix = _installation_prefix(path)
    if _is_own(prefix):
        return SuiteEnvironment(str(path), OWN)
    site = tuple(site_packages(prefix))
    return SuiteEnvironment(str(path), found_by, site, tuple(pth_entries(site)))


def venv_prefix(path: Path) -> Path | None:
    """The virtualenv folder of an interpreter (``venv/bin/python``) or the folder
    itself; None when it is not in a virtualenv."""
    for candidate in (path, path.parent, path.parent.parent):
        if (candidate / "pyvenv.cfg").is_file():
            return candidate
    return None


def _installation_prefix(python: Path) -> Path:
    """``/usr`` for ``/usr/bin/python3``: where a system interpreter keeps ``lib``."""
    try:
        resolved = python.resolve()
    except OSError:
        resolved = python
    return resolved.parent.parent


def _pyvenv(prefix: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    try:
        text = (prefix / "pyvenv.cfg").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return values
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip().lower()] = value.strip()
    return values


def site_packages(prefix: Path) -> list[Path]:
    """The site-packages folders of an installation or virtualenv at `prefix` (with
    the base installation's when the virtualenv includes system site-packages)."""
    config = _pyvenv(prefix)
    version = ".".join(config.get("version", config.get("version_info", "")).split(".")[:2])
    found = _site_dirs(prefix, version)
    if config.get("include-system-site-packages", "").lower() == "true" and config.get("home"):
        home = Path(config["home"])
        base = home.parent if home.name in ("bin", "Scripts") else home
        found += [p for p in _site_dirs(base, version) if p not in found]
    return found


def _site_dirs(prefix: Path, version: str) -> list[Path]:
    libs = sorted((prefix / "lib").glob("python3*"), reverse=True)
    if version:
        libs.sort(key=lambda lib: lib.name != f"python{version}")
    found: list[Path] = []
    for lib in libs:
        for name in ("site-packages", "dist-packages"):
            if (lib / name).is_dir():
                found.append(lib / name)
    if (prefix / "Lib" / "site-packages").is_dir():
        found.append(prefix / "Lib" / "site-packages")
    return found


def pth_entries(site_dirs: Iterable[Path]) -> list[Path]:
    """Folders the ``*.pth`` files of `site_dirs` put on `sys.path` (their path lines;
    ``import`` lines are code and are not run)."""
    entries: list[Path] = []
    for site in site_dirs:
        for pth in sorted(site.glob("*.pth")):
            try:
                lines = pth.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                continue
            for line in lines:
                line = line.strip()
                if not line or line.startswith(("#", "import ", "import\t")):
                    continue
                folder = (site / line).resolve() if not Path(line).is_absolute() else Path(line)
                if folder.is_dir() and folder not in entries:
                    entries.append(folder)
    return entries


def python_of(environment: SuiteEnvironment) -> str | None:
    """The interpreter that runs the suite (`scan --run`, `leaks`) when it is not
    test-auditor's own: ``bin/python`` of a virtualenv folder, or the interpreter found."""
    if environment.own:
        return None
    path = Path(environment.python)
    if path.is_dir():
        for name in ("bin/python", "Scripts/python.exe"):
            if (path / name).exists():
                return str(path / name)
        return None
    return str(path) if path.exists() else None
