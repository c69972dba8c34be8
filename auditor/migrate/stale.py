"""The references a migration leaves stale: tracked text files outside the suite's code
(CI configs, ``per-file-ignores``, coverage ``omit``, ``.test_durations``, CODEOWNERS,
``tox.ini``, ``setup.cfg``, ``pyproject.toml`` ...) that name a module's old path, or a
node id under it. Printed after a successful ``apply``; never edited."""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from auditor.migrate import git
from auditor.migrate.plan_file import Plan

CONFIG_FILES = (
    "pyproject.toml",
    "setup.cfg",
    "tox.ini",
    "pytest.ini",
    ".coveragerc",
    ".test_durations",
    "CODEOWNERS",
    ".flake8",
    "ruff.toml",
    ".ruff.toml",
    "noxfile.py",
    "Makefile",
    "Jenkinsfile",
    ".gitlab-ci.yml",
    ".travis.yml",
    "azure-pipelines.yml",
    ".pre-commit-config.yaml",
    "codecov.yml",
    ".codecov.yml",
)
CONFIG_PATTERNS = (
    ".github/workflows/*.yml",
    ".github/workflows/*.yaml",
    ".circleci/*.yml",
    "*.cfg",
    "*.ini",
)
PATH_TOKEN = re.compile(r"[\w.\-/\\]+\.py")
BIGGEST = 4 * 1024 * 1024
SHOWN = 50


def _old_paths(plan: Plan) -> dict[str, str]:
    """Old path -> what became of it (its new path, or the parts of a split)."""
    found = dict(plan.moves())
    for op in plan.applied:
        if op.kind == "split":
            found[op.path] = "split into " + ", ".join(t for _, t in op.parts)
    return {old: new for old, new in found.items() if old != new}


def _candidates(rootdir: Path) -> Iterator[str]:
    """The config-like text files (relative to ``rootdir``): git's tracked files inside
    a work tree, the files on disk otherwise."""
    top = git.work_tree(rootdir)
    if top is not None:
        names = git.listed(rootdir)
    else:
        names = []
        for folder, dirs, files in os.walk(rootdir):
            dirs[:] = [d for d in dirs if not d.startswith(".") or d in (".github", ".circleci")]
            dirs[:] = [d for d in dirs if d not in ("node_modules", "__pycache__", "venv")]
            base = PurePosixPath(Path(folder).relative_to(rootdir).as_posix())
            names += [str(base / f) for f in files]
    for name in names:
        pure = PurePosixPath(name)
        if pure.name in CONFIG_FILES or any(fnmatch.fnmatch(name, p) for p in CONFIG_PATTERNS):
            yield name


def stale_references(plan: Plan) -> list[str]:
    """``file:line: names `old` (now `new`)`` for each reference to an old path."""
    old = _old_paths(plan)
    if not old:
        return []
    found: list[str] = []
    for name in sorted(set(_candidates(plan.rootdir))):
        file = plan.rootdir / name
        try:
            if file.stat().st_size > BIGGEST:
                continue
            text = file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            for token in PATH_TOKEN.findall(line):
                path = token.replace("\\", "/").removeprefix("./")
                if path in old:
                    found.append(f"{name}:{number}: names `{path}` (now {old[path]})")
    if len(found) > SHOWN:
        found = [*found[:SHOWN], f"... and {len(found) - SHOWN} more"]
    return list(dict.fromkeys(found))
