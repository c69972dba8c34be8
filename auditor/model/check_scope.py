"""What `check` analyses and what it reports, from the paths it is given.

Paths on the command line set the *report* scope; the analysis takes what those files
need: a test module brings its conftest chain and plugins (discovery adds them), a
conftest.py brings the tests of its folder (its fixtures are judged by their users). A
Python file pytest would not collect is reported on without being collected.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from auditor.config import Config
from auditor.model.discover import matches_python_files
from auditor.model.suite import Suite
from auditor.paths import absolute, relpath


@dataclass(frozen=True, slots=True)
class CheckScope:
    analysis_paths: tuple[Path, ...]
    report_paths: frozenset[str] | None
    """Files to report on, relative to the rootdir; None: everything analysed."""
    partial: bool
    extra_files: tuple[str, ...] = ()
    """Given files that pytest would not collect (reported on as other files)."""

    def with_extra_files(self, suite: Suite) -> Suite:
        if not self.extra_files:
            return suite
        others = tuple(sorted({*suite.other_files, *self.extra_files}))
        return dataclasses.replace(suite, other_files=others)


def check_scope(config: Config, paths: Sequence[Path], cwd: Path) -> CheckScope:
    if not paths:
        return CheckScope((), None, partial=False)
    analysis: list[Path] = []
    report: set[str] = set()
    extra: list[str] = []
    whole_folders = False
    for given in paths:
        path = absolute(given, cwd)
        if path.is_dir():
            analysis.append(path)
            whole_folders = True
            continue
        rel = relpath(path, config.rootdir)
        report.add(rel)
        if path.name == "conftest.py":
            analysis.append(path.parent)
        elif matches_python_files(path, config.pytest.python_files) or not path.exists():
            analysis.append(path)
        else:
            extra.append(rel)
    if whole_folders and not report and _whole_suite(config, analysis):
        return CheckScope((), None, partial=False)
    return CheckScope(
        tuple(analysis),
        None if whole_folders else frozenset(report),
        partial=True,
        extra_files=tuple(extra),
    )


def _whole_suite(config: Config, folders: Sequence[Path]) -> bool:
    """Folders that hold everything pytest collects without arguments: the rootdir (a
    pre-commit or CI `check .`) or every `testpaths` entry. Such a check is the whole
    suite's, and its suite-wide rules (duplicates across files, unused fixtures) run."""
    root = config.rootdir
    if any(folder == root or folder in root.parents for folder in folders):
        return True
    entries = [p for pattern in config.pytest.testpaths for p in _testpath_entries(root, pattern)]
    return bool(entries) and all(
        any(folder == entry or folder in entry.parents for folder in folders) for entry in entries
    )


def _testpath_entries(root: Path, pattern: str) -> list[Path]:
    """What a `testpaths` entry names, globbed as pytest does (relative to the rootdir)."""
    if not pattern.strip():
        return []
    if Path(pattern).is_absolute():
        return [Path(pattern)]
    return sorted(root.glob(pattern))
