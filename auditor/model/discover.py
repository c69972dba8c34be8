"""Which files pytest would collect and which conftest.py files it would load.

Mirrors pytest's directory walk (``_pytest/main.py`` and ``_pytest/python.py``) without
importing anything: `norecursedirs` (fnmatch on the name, or on the path when the pattern has
a "/"), virtualenvs, `__pycache__`, `python_files`, explicit file arguments (collected
whatever their name) and `testpaths`. `collect_ignore` lists of conftests are honoured
through a callback, since reading them needs the parse stage.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from auditor.config import Config
from auditor.model.run_commands import command_paths
from auditor.paths import absolute, is_file, relpath

IgnoreLookup = Callable[[Path], tuple[tuple[str, ...], tuple[str, ...]]]
"""conftest.py path -> its (collect_ignore, collect_ignore_glob) lists."""


@dataclass(frozen=True, slots=True)
class Problem:
    """A path discovery could not walk (a symlink loop, an unreadable folder)."""

    path: str
    reason: str
    message: str


@dataclass(frozen=True, slots=True)
class SuiteFiles:
    rootdir: Path
    test_files: tuple[str, ...]
    conftests: tuple[str, ...]
    packages: frozenset[str]
    problems: tuple[Problem, ...] = ()
    explicit: frozenset[str] = field(default_factory=frozenset)
    other_files: tuple[str, ...] = ()
    """Python files in the walked folders that python_files does not match."""


def fnmatch_ex(pattern: str, path: Path) -> bool:
    """pytest's FNMatcher: a pattern without "/" matches the name, else the whole path."""
    if "/" not in pattern and os.sep not in pattern:
        return fnmatch.fnmatch(path.name, pattern)
    text = str(path)
    if path.is_absolute() and not os.path.isabs(pattern):
        pattern = f"*{os.sep}{pattern}"
    return fnmatch.fnmatch(text, pattern)


def matches_python_files(path: Path, patterns: Iterable[str]) -> bool:
    return any(fnmatch_ex(pattern, path) for pattern in patterns)


def _in_venv(path: Path) -> bool:
    return is_file(path / "pyvenv.cfg") or is_file(path / "conda-meta" / "history")


def _excluded(rel: str, patterns: Sequence[str]) -> bool:
    parts = PurePath(rel).parts
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(rel, pattern + "/*"):
            return True
        if "/" not in pattern and any(fnmatch.fnmatch(part, pattern) for part in parts):
            return True
    return False


class _Walker:
    def __init__(self, config: Config, ignore_lookup: IgnoreLookup | None) -> None:
        self.config = config
        self.rootdir = config.rootdir
        self.ignore_lookup = ignore_lookup
        self.excludes = (*config.auditor.exclude, *config.auditor.extend_exclude)
        self.tests: dict[str, None] = {}
        self.conftests: dict[str, None] = {}
        self.packages: set[str] = set()
        self.others: dict[str, None] = {}
        self.problems: list[Problem] = []
        self.walking: set[tuple[int, int]] = set()
        """(device, inode) of the folders being walked: the current path from the top."""
        self._ignores: dict[Path, tuple[list[Path], list[str]]] = {}

    def conftest_chain(self, directory: Path) -> list[Path]:
        """conftest.py files from the confcutdir down to `directory`."""
        cut = self.config.confcutdir
        chain: list[Path] = []
        for parent in reversed((directory, *directory.parents)):
            if parent != cut and cut not in parent.parents:
                continue
            candidate = parent / "conftest.py"
            if is_file(candidate):
                chain.append(candidate)
        return chain

    def _ignored_by_conftests(self, path: Path) -> bool:
        if self.ignore_lookup is None:
            return False
        paths, globs = self._ignore_lists(path.parent)
        if path in paths:
            return True
        return any(fnmatch.fnmatch(str(path), glob) for glob in globs)

    def _ignore_lists(self, directory: Path) -> tuple[list[Path], list[str]]:
        cached = self._ignores.get(directory)
        if cached is not None:
            return cached
        paths: list[Path] = []
        globs: list[str] = []
        assert self.ignore_lookup is not None
        for conftest in self.conftest_chain(directory):
            ignore, ignore_glob = self.ignore_lookup(conftest)
            paths.extend(absolute(entry, conftest.parent) for entry in ignore)
            globs.extend(str(conftest.parent / entry) for entry in ignore_glob)
        self._ignores[directory] = (paths, globs)
        return paths, globs

    def _note_conftests(self, directory: Path) -> None:
        for conftest in self.conftest_chain(directory):
            self.conftests.setdefault(relpath(conftest, self.rootdir))

    def _skip_dir(self, path: Path) -> bool:
        if path.name == "__pycache__" or _in_venv(path):
            return True
        if any(fnmatch_ex(p, path) for p in self.config.pytest.norecursedirs):
            return True
        if self.excludes and _excluded(relpath(path, self.rootdir), self.excludes):
            return True
        return self._ignored_by_conftests(path)

    def walk_dir(self, directory: Path) -> None:
        try:
            stat = directory.stat()
        except OSError as exc:
            self._problem(directory, "unreadable", f"cannot enter: {exc.strerror}")
            return
        key = (stat.st_dev, stat.st_ino)
        if key in self.walking:
            self._problem(directory, "symlink-loop", "symlink loop: folder contains itself")
            return
        self.walking.add(key)
        try:
            self._walk_entries(directory)
        finally:
            self.walking.discard(key)

    def _walk_entries(self, directory: Path) -> None:
        self._note_conftests(directory)
        if is_file(directory / "__init__.py"):
            self.packages.add(relpath(directory, self.rootdir))
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            self._problem(directory, "unreadable", f"cannot list: {exc.strerror}")
            return
        for entry in entries:
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir()
                file_entry = entry.is_file()
            except OSError as exc:
                self._problem(path, "unreadable", f"cannot stat: {exc.strerror}")
                continue
            if is_dir:
                if not self._skip_dir(path):
                    self.walk_dir(path)
            elif file_entry and path.suffix == ".py":
                self.consider_file(path, explicit=False)
            elif (
                entry.is_symlink()
                and not path.exists()
                and (path.suffix == ".py" or self._loops(path))
            ):
                self._problem(path, "broken-symlink", "broken or looping symlink")

    @staticmethod
    def _loops(path: Path) -> bool:
        try:
            path.resolve(strict=True)
        except RuntimeError:
            return True
        except OSError as exc:
            return exc.errno == 40
        return False

    def consider_file(self, path: Path, *, explicit: bool) -> None:
        rel = relpath(path, self.rootdir)
        if not explicit:
            if path.name == "conftest.py":
                return
            if self._ignored_by_conftests(path):
                return
            if not matches_python_files(path, self.config.pytest.python_files):
                if path.name not in ("__init__.py", "setup.py") and not (
                    self.excludes and _excluded(rel, self.excludes)
                ):
                    self.others.setdefault(rel)
                return
        if self.excludes and _excluded(rel, self.excludes):
            return
        self._note_conftests(path.parent)
        self.tests.setdefault(rel)

    def _problem(self, path: Path, reason: str, message: str) -> None:
        self.problems.append(Problem(relpath(path, self.rootdir), reason, message))


def initial_paths(config: Config, paths: Sequence[Path], invocation_dir: Path) -> list[Path]:
    """The paths to walk: those given, else `testpaths` (globbed), else the invocation dir.

    In the rootdir without `testpaths`, the paths every pytest command of the project names
    (`run_commands`) stand in for them: `pytest tests` in `scripts/test.sh` keeps the
    examples of `docs_src/` out of the suite, as the project's own runs do.
    """
    if paths:
        return [absolute(p, invocation_dir) for p in paths]
    at_root = absolute(invocation_dir) == config.rootdir
    if config.pytest.testpaths and at_root:
        found: list[Path] = []
        for pattern in config.pytest.testpaths:
            found.extend(sorted(config.rootdir.glob(pattern)))
        if found:
            return found
    if at_root and not config.pytest.testpaths:
        commanded = command_paths(config.rootdir)
        if commanded:
            return commanded
    return [invocation_dir]


def discover(
    config: Config,
    paths: Sequence[Path],
    *,
    invocation_dir: Path,
    ignore_lookup: IgnoreLookup | None = None,
) -> SuiteFiles:
    """The files pytest would collect for `paths`, with their conftest.py chains."""
    walker = _Walker(config, ignore_lookup)
    explicit: set[str] = set()
    for path in initial_paths(config, paths, invocation_dir):
        full = absolute(path)
        if full.is_dir():
            walker.walk_dir(full)
        elif full.is_file():
            walker.consider_file(full, explicit=True)
            explicit.add(relpath(full, config.rootdir))
        else:
            walker.problems.append(
                Problem(
                    relpath(full, config.rootdir),
                    "not-found",
                    "file or folder not found",
                )
            )
    for rel in walker.tests:
        parent = (config.rootdir / rel).parent
        while parent != config.rootdir and config.rootdir in parent.parents:
            if is_file(parent / "__init__.py"):
                walker.packages.add(relpath(parent, config.rootdir))
            parent = parent.parent
    return SuiteFiles(
        rootdir=config.rootdir,
        test_files=tuple(walker.tests),
        conftests=tuple(walker.conftests),
        packages=frozenset(walker.packages),
        problems=tuple(walker.problems),
        explicit=frozenset(explicit),
        other_files=tuple(walker.others),
    )
