"""What the defs of each file resolve to (`clone_units.Context`), cached by file content.

The clone analysis parses a file to learn what the names of its defs resolve to; that
depends on nothing but the file's text and the shapes of its defs (which come from the
same text). A file whose content and shapes are those of the last run is not parsed
again: its table (every def's references, and whether its body defines a class) is read
back. After an edit of one test file, only that file is parsed for the clone analysis.

Storage: one JSON file per rootdir beside the summaries,
``v<version>/clones-<rootdir hash>-<FORMAT>.json``, written atomically once per run.
Reading runs no code: a table is rebuilt from plain JSON and every value is checked (a
dict of strings, a bool); anything else is a miss and the file is parsed again.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from auditor import __version__
from auditor.parse.cache import write_cache_file

FORMAT = 1
"""Bumped when the layout of the file or what a table holds changes."""

Table = dict[int, tuple[dict[str, str], bool]]
"""A def's first line -> (its references, whether its body defines a class)."""


def _tool() -> str:
    """The clone analysis's own sources by size and mtime: an edited checkout is
    another tool even when its version number is not."""
    here = Path(__file__).parent
    return json.dumps([_stat(here / name) for name in ("clone_units.py", "clone_cache.py")])


def _stat(path: Path) -> list[int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns]


class CloneCache:
    """Load once, look up and store many times, save once."""

    def __init__(self, cache_dir: Path, rootdir: Path) -> None:
        self.cache_dir = cache_dir
        key = hashlib.blake2b(str(rootdir).encode(), digest_size=8).hexdigest()
        self.file = cache_dir / f"v{__version__}" / f"clones-{key}-{FORMAT}.json"
        self.tool = _tool()
        self.raw: dict[str, object] = self._load()
        self.tables: dict[str, tuple[str, Table]] = {}
        self.dirty = False

    def _load(self) -> dict[str, object]:
        try:
            data = json.loads(self.file.read_bytes())
        except (OSError, ValueError, RecursionError):
            return {}
        if (
            not isinstance(data, dict)
            or data.get("format") != FORMAT
            or data.get("version") != __version__
            or data.get("tool") != self.tool
            or not isinstance(data.get("files"), dict)
        ):
            return {}
        files: dict[str, object] = data["files"]
        return files

    def get(self, path: str, digest: str) -> Table | None:
        """The stored table of `path` when it was made from the same `digest`."""
        stored = self.tables.get(path)
        if stored is not None:
            return stored[1] if stored[0] == digest else None
        raw = self.raw.get(path)
        if not isinstance(raw, list) or len(raw) != 2 or raw[0] != digest:
            return None
        table = _decode(raw[1])
        if table is not None:
            self.tables[path] = (digest, table)
        return table

    def store(self, path: str, digest: str, table: Table) -> None:
        self.tables[path] = (digest, table)
        self.dirty = True

    def save(self, rootdir: Path) -> None:
        """Write atomically the tables of this run and the stored ones of files still
        there (a `check` of a few files keeps the others'); a cache that cannot be
        written is skipped."""
        if not self.dirty:
            return
        files: dict[str, object] = {
            p: v for p, v in self.raw.items() if p not in self.tables and (rootdir / p).is_file()
        }
        for path, (digest, table) in self.tables.items():
            files[path] = [
                digest,
                [[line, refs, defines] for line, (refs, defines) in table.items()],
            ]
        document = {"format": FORMAT, "version": __version__, "tool": self.tool, "files": files}
        if not write_cache_file(self.cache_dir, self.file, document):
            return
        self.dirty = False


def _decode(data: object) -> Table | None:
    if not isinstance(data, list):
        return None
    table: Table = {}
    for row in data:
        if not isinstance(row, list) or len(row) != 3:
            return None
        line, refs, defines = row
        if type(line) is not int or type(defines) is not bool or not isinstance(refs, dict):
            return None
        if not all(type(k) is str and type(v) is str for k, v in refs.items()):
            return None
        table[line] = (refs, defines)
    return table


def content_key(root: Path, path: str, shapes: list[str]) -> str | None:
    """The digest of `path`'s bytes and its defs' shapes; None when it cannot be read."""
    try:
        data = (root / path).read_bytes()
    except OSError:
        return None
    blake = hashlib.blake2b(data, digest_size=16)
    for shape in shapes:
        blake.update(b"\0" + shape.encode())
    return blake.hexdigest()
