"""A per-rootdir cache of file summaries, keyed by tool version and file content.

One pickle file per rootdir under the cache folder (which gets its own `.gitignore`, as
ruff's does). An entry is reused when the file's size and mtime are unchanged, or when its
content hash matches after a touch.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from dataclasses import dataclass
from pathlib import Path

from auditor import __version__
from auditor.parse.summary import ModuleSummary, ParseFailure

Summary = ModuleSummary | ParseFailure
DEFAULT_CACHE_DIR = ".test-auditor-cache"


FORMAT = 6
"""Bumped when the layout of the cache file changes."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One file's summary, kept pickled until it is asked for: a check of one file
    in a large suite reads a few entries, not all of them."""

    size: int
    mtime_ns: int
    digest: str
    blob: bytes

    @property
    def summary(self) -> Summary | None:
        try:
            loaded = pickle.loads(self.blob)
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
            return None
        return loaded if isinstance(loaded, (ModuleSummary, ParseFailure)) else None


def content_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class SummaryCache:
    """Load once, look up and store many times, save once."""

    def __init__(self, cache_dir: Path, rootdir: Path) -> None:
        self.cache_dir = cache_dir
        self.rootdir = rootdir
        key = hashlib.blake2b(str(rootdir).encode(), digest_size=8).hexdigest()
        self.file = cache_dir / f"v{__version__}" / f"summaries-{key}-{FORMAT}.pickle"
        self.entries: dict[str, Entry] = self._load()
        self.dirty = False

    def _load(self) -> dict[str, Entry]:
        try:
            with self.file.open("rb") as handle:
                loaded = pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return {}
        return loaded if isinstance(loaded, dict) else {}

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
        blob = pickle.dumps(summary, protocol=pickle.HIGHEST_PROTOCOL)
        self.entries[relpath] = Entry(stat.st_size, stat.st_mtime_ns, digest, blob)
        self.dirty = True

    def save(self) -> None:
        """Write atomically; a cache that cannot be written is silently skipped."""
        if not self.dirty:
            return
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            gitignore = self.cache_dir / ".gitignore"
            if not gitignore.exists():
                gitignore.write_text("# Automatically created by test-auditor.\n*\n")
            fd, tmp = tempfile.mkstemp(dir=self.file.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(self.entries, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.file)
        except OSError:
            return
        self.dirty = False
