"""A per-rootdir cache of file summaries, keyed by tool version and file content.

One JSON file per rootdir under the cache folder (which gets its own `.gitignore`, as
ruff's does). An entry is reused when the file's size and mtime are unchanged, or when its
content hash matches after a touch.

Reading the cache never runs code: it is JSON, and a summary is rebuilt from it only
through :mod:`auditor.parse.codec`, which builds nothing but summary records and checks
every field. A file or an entry that is not exactly what this version writes (another
version's layout, a planted pickle, garbage, a wrong type anywhere) is a cache miss: the
file is parsed again, and the next save replaces the entry.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from auditor import __version__
from auditor.parse.codec import decode, encode
from auditor.parse.summary import ModuleSummary, ParseFailure

Summary = ModuleSummary | ParseFailure
DEFAULT_CACHE_DIR = ".test-auditor-cache"


FORMAT = 17
"""Bumped when the layout of the cache file or what a summary holds changes (7: JSON
instead of pickle; 8: fixtures registered by call, `x = pytest.fixture(...)(f)`; 10:
params and parametrize values given as a module-level list name counted; 11: reach
records project files read (`open-read`, `project-file` calls) and throughput names,
and project modules get a cache file of their own, ``project-...json``; 12: a
fixture's ``@classmethod`` above or below its fixture decorator; 17: reach records the
name a database URL is picked by, `url-choice`, and option and environment defaults,
`default`)."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One file's summary, kept as JSON text until it is asked for: a check of one file
    in a large suite decodes a few entries, not all of them."""

    size: int
    mtime_ns: int
    digest: str
    blob: str

    @property
    def summary(self) -> Summary | None:
        """The summary, or None when the stored text is not one (a cache miss)."""
        try:
            return decode(json.loads(self.blob))
        except (ValueError, RecursionError):  # Malformed and JSONDecodeError are ValueErrors
            return None

    @classmethod
    def from_json(cls, data: object) -> Entry | None:
        if (
            isinstance(data, list)
            and len(data) == 4
            and type(data[0]) is int
            and type(data[1]) is int
            and isinstance(data[2], str)
            and isinstance(data[3], str)
        ):
            return cls(data[0], data[1], data[2], data[3])
        return None


def content_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class SummaryCache:
    """Load once, look up and store many times, save once."""

    def __init__(self, cache_dir: Path, rootdir: Path, kind: str = "summaries") -> None:
        """`kind` names the file: ``summaries`` for the suite's files (full summaries),
        ``project`` for the project modules the tiers follow into (`parse.project`)."""
        self.cache_dir = cache_dir
        self.rootdir = rootdir
        key = hashlib.blake2b(str(rootdir).encode(), digest_size=8).hexdigest()
        self.file = cache_dir / f"v{__version__}" / f"{kind}-{key}-{FORMAT}.json"
        self.entries: dict[str, Entry] = self._load()
        self.dirty = False

    def _load(self) -> dict[str, Entry]:
        """The stored entries; none when the file is missing, unreadable or not this
        version's layout. Entries of the wrong shape are dropped one by one."""
        try:
            data = json.loads(self.file.read_bytes())
        except (OSError, ValueError, RecursionError):
            return {}
        if (
            not isinstance(data, dict)
            or data.get("format") != FORMAT
            or data.get("version") != __version__
            or not isinstance(data.get("entries"), dict)
        ):
            return {}
        entries = {}
        for relpath, raw in data["entries"].items():
            entry = Entry.from_json(raw)
            if entry is not None:
                entries[relpath] = entry
        return entries

    def fresh(self, relpath: str, stat: os.stat_result) -> Summary | None:
        """The cached summary when size and mtime say the file is unchanged."""
        entry = self.entries.get(relpath)
        if entry and entry.size == stat.st_size and entry.mtime_ns == stat.st_mtime_ns:
            return self._summary(relpath, entry)
        return None

    def _summary(self, relpath: str, entry: Entry) -> Summary | None:
        summary = entry.summary
        if summary is None:  # unreadable entry: forget it, the file is parsed again
            del self.entries[relpath]
            self.dirty = True
        return summary

    def by_digest(self, relpath: str, digest: str) -> Summary | None:
        entry = self.entries.get(relpath)
        return self._summary(relpath, entry) if entry and entry.digest == digest else None

    def store(self, relpath: str, stat: os.stat_result, digest: str, summary: Summary) -> None:
        blob = json.dumps(encode(summary), separators=(",", ":"))
        self.entries[relpath] = Entry(stat.st_size, stat.st_mtime_ns, digest, blob)
        self.dirty = True

    def save(self) -> None:
        """Write atomically; a cache that cannot be written is silently skipped."""
        if not self.dirty:
            return
        document = {
            "format": FORMAT,
            "version": __version__,
            "entries": {
                relpath: [entry.size, entry.mtime_ns, entry.digest, entry.blob]
                for relpath, entry in self.entries.items()
            },
        }
        if write_cache_file(self.cache_dir, self.file, document):
            self.dirty = False


def write_cache_file(cache_dir: Path, file: Path, document: object) -> bool:
    """Write one of the cache's JSON files atomically (a temporary file, then a rename),
    with the cache folder's own ``.gitignore``; ``False`` when it cannot be written (a
    read-only folder: the run goes on without storing)."""
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        gitignore = cache_dir / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text("# Automatically created by test-auditor.\n*\n")
        fd, tmp = tempfile.mkstemp(dir=file.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(document, handle, separators=(",", ":"))
        os.replace(tmp, file)
    except OSError:
        return False
    return True
