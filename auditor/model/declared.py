"""The distributions a project declares it needs, read from its files (nothing run).

Where projects list what their tests need: ``pyproject.toml`` (``[project]``
dependencies and optional-dependencies, ``[dependency-groups]``, Poetry's dependency
tables, PDM's dev-dependencies, uv's dev-dependencies, Hatch environments),
``requirements*.txt``/``*.in`` in the rootdir and in ``requirements/`` (following
``-r``), ``tox.ini`` ``deps``, ``setup.cfg`` (install_requires, tests_require,
extras_require), ``setup.py`` (literal lists in its ``setup(...)`` call), ``Pipfile`` and
``noxfile.py`` (literal ``session.install(...)`` arguments). Names are normalized as
PyPI compares them (`normalize`); each maps to the files declaring it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from auditor.config_files import ConfigError, read_ini, read_toml, table_at

_NAME = re.compile(r"^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)")
_REQUIREMENT_FILES = (
    "requirements*.txt",
    "requirements*.in",
    "*-requirements.txt",
    "*_requirements.txt",
)


def normalize(name: str) -> str:
    """PEP 503's normal form: ``Pytest_Mock`` -> ``pytest-mock``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(text: str) -> str | None:
    """The distribution a requirement line names (None for options, URLs, paths)."""
    text = text.split("#", 1)[0].strip()
    if not text or text.startswith(("-", ".", "/", "git+", "http:", "https:", "file:")):
        return None
    match = _NAME.match(text)
    return normalize(match.group(1)) if match else None


def declared_distributions(rootdir: Path) -> dict[str, tuple[str, ...]]:
    """Each distribution the project at `rootdir` declares -> the files declaring it
    (relative to the rootdir, in the order read)."""
    found: dict[str, list[str]] = {}
    for where, names in _sources(rootdir):
        for name in names:
            files = found.setdefault(name, [])
            if where not in files:
                files.append(where)
    return {name: tuple(files) for name, files in found.items()}


def _sources(rootdir: Path) -> Iterator[tuple[str, Iterable[str]]]:
    readers = (
        ("pyproject.toml", _pyproject),
        ("setup.cfg", _setup_cfg),
        ("tox.ini", _tox),
        ("setup.py", _setup_py),
        ("noxfile.py", _noxfile),
        ("Pipfile", _pipfile),
    )
    for name, reader in readers:
        path = rootdir / name
        if path.is_file():
            try:
                yield name, list(reader(path))
            except (ConfigError, OSError, SyntaxError, ValueError):
                continue
    seen: set[Path] = set()
    for folder in (rootdir, rootdir / "requirements", rootdir / "requirements-dev"):
        if not folder.is_dir():
            continue
        patterns = ("*.txt", "*.in") if folder != rootdir else _REQUIREMENT_FILES
        for pattern in patterns:
            for path in sorted(folder.glob(pattern)):
                yield from _requirements(rootdir, path, seen)


def _requirements(
    rootdir: Path, path: Path, seen: set[Path]
) -> Iterator[tuple[str, Iterable[str]]]:
    """A requirements file and the files it includes with ``-r``/``-c``."""
    try:
        path = path.resolve()
        if path in seen or not path.is_file():
            return
        seen.add(path)
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return
    names: list[str] = []
    included: list[Path] = []
    for line in lines:
        stripped = line.strip()
        option = re.match(r"^(-r|-c|--requirement|--constraint)[\s=]*(\S+)", stripped)
        if option:
            included.append(path.parent / option.group(2))
        elif (name := requirement_name(stripped)) is not None:
            names.append(name)
    try:
        where = path.relative_to(rootdir.resolve()).as_posix()
    except ValueError:
        where = path.as_posix()
    yield where, names
    for other in included:
        yield from _requirements(rootdir, other, seen)


def _strings(value: object) -> Iterator[str]:
    """Requirement strings in a list, or in the lists of a table."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, str):
                yield item
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


def _names(requirements: Iterable[str]) -> Iterator[str]:
    for text in requirements:
        name = requirement_name(text)
        if name is not None:
            yield name


def _pyproject(path: Path) -> Iterator[str]:
    document = read_toml(path)
    project = table_at(document, "project") or {}
    yield from _names(_strings(project.get("dependencies")))
    yield from _names(_strings(project.get("optional-dependencies")))
    yield from _names(_strings(document.get("dependency-groups")))
    yield from _names(_strings((table_at(document, "tool", "pdm") or {}).get("dev-dependencies")))
    yield from _names(_strings((table_at(document, "tool", "uv") or {}).get("dev-dependencies")))
    poetry = table_at(document, "tool", "poetry") or {}
    tables: list[object] = [poetry.get("dependencies"), poetry.get("dev-dependencies")]
    groups = poetry.get("group")
    if isinstance(groups, dict):
        tables += [g.get("dependencies") for g in groups.values() if isinstance(g, dict)]
    for table in tables:
        if isinstance(table, dict):
            yield from (normalize(k) for k in table if k.lower() != "python")
    envs = table_at(document, "tool", "hatch", "envs") or {}
    for env in envs.values():
        if isinstance(env, dict):
            for key in ("dependencies", "extra-dependencies"):
                yield from _names(_strings(env.get(key)))


def _ini_lines(value: str) -> Iterator[str]:
    """Requirement lines of an ini value; tox factor prefixes (``sqla14: SQLAlchemy``)
    dropped, substitutions (``{[testenv]deps}``) skipped."""
    for line in value.splitlines():
        line = line.strip()
        factor = re.match(r"^[\w{},.!-]+:\s+(.*)$", line)
        if factor:
            line = factor.group(1)
        if line and not line.startswith("{"):
            yield line


def _setup_cfg(path: Path) -> Iterator[str]:
    parser = read_ini(path)
    for section, key in (("options", "install_requires"), ("options", "tests_require")):
        if parser.has_option(section, key):
            yield from _names(_ini_lines(parser.get(section, key)))
    if parser.has_section("options.extras_require"):
        for _, value in parser.items("options.extras_require"):
            yield from _names(_ini_lines(value))


def _tox(path: Path) -> Iterator[str]:
    parser = read_ini(path)
    for section in parser.sections():
        if section.startswith("testenv") and parser.has_option(section, "deps"):
            yield from _names(_ini_lines(parser.get(section, "deps")))


def _pipfile(path: Path) -> Iterator[str]:
    document = read_toml(path)
    for table in ("packages", "dev-packages"):
        yield from (normalize(k) for k in (table_at(document, table) or {}))


def _literal_strings(node: ast.AST) -> Iterator[str]:
    for child in ast.walk(node):
        if isinstance(child, ast.Constant) and isinstance(child.value, str):
            yield child.value


def _setup_py(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
    wanted = {"install_requires", "tests_require", "extras_require", "setup_requires"}
    assigned: dict[str, ast.AST] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                assigned[target.id] = node.value
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        for keyword in node.keywords:
            if keyword.arg not in wanted:
                continue
            value = keyword.value
            if isinstance(value, ast.Name):
                value = assigned.get(value.id, value)  # type: ignore[assignment]
            if isinstance(value, (ast.List, ast.Tuple, ast.Dict, ast.Set)):
                yield from _names(_literal_strings(value))


def _noxfile(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "install"
        ):
            for arg in node.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    name = requirement_name(arg.value)
                    if name is not None:
                        yield name


def declared_in(declared: Mapping[str, tuple[str, ...]], name: str) -> tuple[str, ...]:
    """The files declaring distribution `name` (any spelling)."""
    return declared.get(normalize(name), ())
