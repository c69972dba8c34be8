"""Whole scans cached: a `scan` whose inputs did not change reads its `Report` back.

A warm scan of a suite nothing changed in would otherwise still decode every file's
summary, build the model, resolve the fixtures, key every rule result and compute the
tiers and clone groups again, only to find the same report. The scan cache skips all of
it when these still match what the stored report was computed from:

- the invocation (:meth:`ScanCache.invocation_key`): test-auditor's version and the stamp
  of its source files and of the selected rules' (`auditor.lint.stamps.tool_stamp`), the
  selected rules, the whole configuration (pytest's options and ``[tool.test-auditor]``),
  the paths scanned, the build options that change the model, and the suite's environment
  (its interpreter and the ``dist-info``/``egg-info``/``.pth`` entries of its
  site-packages with their mtimes: a plugin installed, removed or upgraded);
- the files (:meth:`ScanCache.stamps`): every file under the rootdir
  (`auditor.lint.stamps.tree_stamp`: hidden folders, virtualenvs and the cache left out,
  as for the rule cache), under the paths scanned outside it, and every file outside the
  rootdir the stored scan read (plugin modules that define fixtures, conftests above the
  rootdir), each by path, size and mtime, and by the digest of its content stored beside
  them.

A file whose mtime changed but whose content did not (`touch`, an editor saving without a
change, a branch checked out and back) is read and hashed: when every such file has the
stored content, the stored scan is still the scan of these files, and its stamps are
renewed. Anything else (a file edited, added or removed) is a miss: the scan runs, through
the summary and rule caches, and its report replaces the stored one. `scan --run` and a
scan in which a rule crashed are never stored.

Storage: ``v<version>/scan-<rootdir hash>-<FORMAT>.json`` beside the summaries, one entry
per invocation (the last few kept), written atomically. Reading runs no code: the report
is rebuilt only by `auditor.report.report_codec`, which checks every field; any entry of
another shape is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from auditor import __version__
from auditor.api import Rule
from auditor.config import Config
from auditor.lint.rule_cache import canonical
from auditor.lint.stamps import stat_of, tool_stamp, tree_stamp
from auditor.model.environment import SuiteEnvironment
from auditor.model.suite import Suite
from auditor.parse.cache import write_cache_file
from auditor.report.contents import Report
from auditor.report.report_codec import Unencodable, decode_report, encode_report

FORMAT = 2
"""Bumped when the layout of the scan cache file changes."""

KEPT = 8
"""Invocations kept per rootdir (other paths, other rule selections)."""

HASHED_SIZE = 1 << 20
"""Files up to this size have their content digest stored: a larger one (a data file,
an archive) whose mtime changed is taken as changed rather than read whole."""

_METADATA = (".dist-info", ".egg-info", ".pth", ".egg-link")


@dataclass(frozen=True, slots=True)
class StoredScan:
    report: Report
    suppressed: int
    baselined: int
    results: int
    """Rule results the report holds (per file and rule, and per suite-wide rule)."""


def _digest(value: object) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=repr)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


class ScanCache:
    """The stored scans of one rootdir: look up once before a scan, store once after."""

    def __init__(
        self,
        cache_dir: Path,
        config: Config,
        paths: Sequence[Path],
        rules: Sequence[type[Rule]],
        environment: SuiteEnvironment,
        options: object,
    ) -> None:
        """`paths` are absolute; `options` are the build options that change the model
        (as data)."""
        self.cache_dir = cache_dir
        self.config = config
        self.rootdir = config.rootdir
        self.paths = [Path(p) for p in paths]
        key = hashlib.blake2b(str(self.rootdir).encode(), digest_size=8).hexdigest()
        self.file = cache_dir / f"v{__version__}" / f"scan-{key}-{FORMAT}.json"
        self.rules = list(rules)
        self.environment = environment
        self.options = options
        self._invocation: str | None = None

    # -- keys --

    def invocation_key(self) -> str:
        if self._invocation is None:
            self._invocation = _digest(
                [
                    FORMAT,
                    __version__,
                    tool_stamp(self.rules),
                    [(r.code, r.__module__, r.__qualname__) for r in self.rules],
                    canonical(self.config),
                    [str(p) for p in self.paths],
                    canonical(self.options),
                    _environment_stamp(self.environment),
                ]
            )
        return self._invocation

    def stamps(self, outside: Sequence[str]) -> dict[str, list[int] | None]:
        """Size and mtime (None: missing) by path of the rootdir's files, of the scanned
        paths outside it and of `outside` (files the scan read elsewhere)."""
        found: dict[str, list[int] | None] = {
            path: [size, mtime] for path, size, mtime in tree_stamp(self.rootdir, self.cache_dir)
        }
        for path in self.paths:
            if path.is_relative_to(self.rootdir):
                continue
            if path.is_dir():
                found.update(
                    (p, [size, mtime]) for p, size, mtime in tree_stamp(path, self.cache_dir)
                )
            else:
                found[str(path)] = stat_of(path)
        found.update((p, stat_of(Path(p))) for p in outside)
        return found

    # -- reading and writing --

    def _read(self) -> dict[str, object]:
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
        entries: dict[str, object] = data["entries"]
        return entries

    def load(self) -> StoredScan | None:
        """The stored scan of this invocation when none of its inputs changed."""
        entries = self._read()
        entry = entries.get(self.invocation_key())
        if not isinstance(entry, list) or len(entry) != 6:
            return None
        files, outside, report, suppressed, baselined, results = entry
        if (
            not isinstance(files, dict)
            or not isinstance(outside, list)
            or not all(isinstance(p, str) for p in outside)
            or type(suppressed) is not int
            or type(baselined) is not int
            or type(results) is not int
        ):
            return None
        now = self.stamps(outside)
        renewed = _unchanged(files, now)
        if renewed is None:
            return None
        try:
            stored = StoredScan(decode_report(report), suppressed, baselined, results)
        except (ValueError, TypeError, RecursionError):  # Malformed, a bad enum value
            return None
        if renewed is not files:
            entry[0] = renewed
            self._write(entries, entry)
        return stored

    def save(self, suite: Suite, stored: StoredScan) -> None:
        """Store this invocation's scan (atomically; a cache that cannot be written is
        skipped, as is a report the layout cannot hold)."""
        try:
            report = encode_report(stored.report)
        except Unencodable:
            return
        outside = _read_outside(suite)
        entries = self._read()
        files = _with_digests(self.stamps(outside), _stored_files(entries, self.invocation_key()))
        entry = [files, outside, report, stored.suppressed, stored.baselined, stored.results]
        self._write(entries, entry)

    def _write(self, entries: dict[str, object], entry: list[object]) -> None:
        """`entries` with this invocation's `entry` last, the oldest dropped past KEPT."""
        entries.pop(self.invocation_key(), None)
        kept = list(entries.items())[-(KEPT - 1) :]
        document = {
            "format": FORMAT,
            "version": __version__,
            "entries": {**dict(kept), self.invocation_key(): entry},
        }
        write_cache_file(self.cache_dir, self.file, document)


def _content_digest(path: str) -> str | None:
    """The digest of the file's bytes; None when it cannot be read."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _stored_files(entries: dict[str, object], key: str) -> dict[str, object]:
    """The files of the stored scan of invocation `key` (empty when there is none)."""
    entry = entries.get(key)
    files = entry[0] if isinstance(entry, list) and entry else None
    return files if isinstance(files, dict) else {}


def _with_digests(now: dict[str, list[int] | None], before: dict[str, object]) -> dict[str, object]:
    """`now`'s stamps with each file's content digest: the stored one when the file kept
    its size and mtime, else read (files up to HASHED_SIZE)."""
    files: dict[str, object] = {}
    for path, stamp in now.items():
        if stamp is None:
            files[path] = None
            continue
        old = before.get(path)
        if isinstance(old, list) and len(old) == 3 and old[:2] == stamp:
            files[path] = [*stamp, old[2]]
        else:
            digest = _content_digest(path) if stamp[0] <= HASHED_SIZE else None
            files[path] = [*stamp, digest]
    return files


def _unchanged(
    stored: dict[str, object], now: dict[str, list[int] | None]
) -> dict[str, object] | None:
    """`stored` itself when every file has its stored size and mtime; the stored files
    with renewed stamps when those that differ only in mtime still have the stored
    content; None when a file was added, removed or changed."""
    if stored.keys() != now.keys():
        return None
    renewed: dict[str, object] | None = None
    for path, stamp in now.items():
        old = stored[path]
        if old is None or stamp is None:
            if old is not stamp:
                return None
            continue
        if not isinstance(old, list) or len(old) != 3:
            return None
        if old[:2] == stamp:
            continue
        if old[0] != stamp[0] or old[2] is None or _content_digest(path) != old[2]:
            return None
        if renewed is None:
            renewed = dict(stored)
        renewed[path] = [*stamp, old[2]]
    return stored if renewed is None else renewed


def _read_outside(suite: Suite) -> list[str]:
    """Absolute paths of the files outside the rootdir the model read."""
    rootdir = Path(suite.rootdir)
    paths = {
        *suite.test_files,
        *suite.conftests,
        *suite.other_files,
        *suite.helpers,
        *(d.path for d in suite.fixtures),
    }
    return sorted(
        str(os.path.normpath(rootdir / p)) for p in paths if p and p.startswith(("/", ".."))
    )


def _environment_stamp(environment: SuiteEnvironment) -> list[object]:
    """The environment's interpreter, and what is installed in it: the metadata entries
    (``dist-info``, ``egg-info``, ``.pth``, ``.egg-link``) of its search roots, with their
    size and mtime. Nothing else of those folders: `sys.path` holds the working or the
    script's folder too, whose other files have nothing to do with installed plugins."""
    roots: list[object] = []
    for root in environment.search_roots:
        try:
            with os.scandir(root) as entries:
                names = sorted(e.name for e in entries if e.name.endswith(_METADATA))
        except OSError:
            roots.append([str(root), None])
            continue
        roots.append([str(root), [(name, stat_of(root / name)) for name in names]])
    return [environment.python, environment.found_by, roots]
