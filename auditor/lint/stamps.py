"""Cheap stamps (sizes and mtimes, no content) of what a cached result was computed from:
the tool itself and the files under a rootdir. The rule cache and the scan cache key on
them."""

from __future__ import annotations

import inspect
import json
import os
from collections.abc import Sequence
from pathlib import Path

from auditor.api import Rule

SKIPPED_DIRS = frozenset({"__pycache__", "node_modules", "site-packages"})
UNUSED_BY_SCANS = frozenset({"cli", "dynamic", "migrate"})
"""Packages of `auditor` no static analysis, rule or report reads (`dynamic` is read by
`scan --run` only, which is never cached): editing them does not make a new tool."""


def stat_of(path: Path) -> list[int] | None:
    """[size, mtime_ns], or None when the file is missing."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns]


def tool_stamp(rules: Sequence[type[Rule]]) -> str:
    """Size and mtime of the engine's and the rules' source files: an edited checkout is
    a new tool even when its version number is not."""
    import auditor

    package = Path(auditor.__file__).parent
    files: set[Path] = set()
    for pattern in ("*.py", "*.toml"):
        files.update(
            f
            for f in package.rglob(pattern)
            if f.relative_to(package).parts[0] not in UNUSED_BY_SCANS
        )
    for rule in rules:
        try:
            source = inspect.getsourcefile(rule)
        except TypeError:
            source = None
        if source:
            files.add(Path(source))
            files.update(Path(source).parent.glob("_*.py"))
    return json.dumps(sorted((str(f), stat_of(f)) for f in files), separators=(",", ":"))


def tree_stamp(rootdir: Path, cache_dir: Path) -> list[tuple[str, int, int]]:
    """Path, size and mtime of every file under the rootdir (virtualenvs, hidden and
    cache folders, and the cache itself, left out): the suite, the code under test,
    requirement and lock files."""
    found: list[tuple[str, int, int]] = []
    skipped = os.path.abspath(cache_dir)
    for folder, dirs, files in os.walk(rootdir):
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".")
            and d not in SKIPPED_DIRS
            and os.path.join(folder, d) != skipped
            and not os.path.exists(os.path.join(folder, d, "pyvenv.cfg"))
        )
        for name in sorted(files):
            try:
                stat = os.stat(os.path.join(folder, name))
            except OSError:
                continue
            found.append((os.path.join(folder, name), stat.st_size, stat.st_mtime_ns))
    return found
