"""The project's own modules (the code under test), found and read only when asked for.

The tiers follow calls from the suite into the project (`auditor.analysis.suite_code`):
a dotted module name is looked for under the rootdir and its ``src/`` folder, as
`auditor.model.imports` looks for modules, never in site-packages or a virtualenv, and
never in the suite's own files (already modelled). A module is parsed the first time a
call reaches it, with `auditor.parse.project` (`ast` only), and a def's reach is read the
first time a call reaches the def; both go into a cache file of their own beside the
suite's summaries, which `save` writes once, at the end.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

from auditor.model.imports import _module_file, _package_file
from auditor.parse.cache import SummaryCache, content_digest
from auditor.parse.project import ProjectSource, def_reach, parse_project, with_reaches
from auditor.parse.summary import Function, ModuleSummary, ParseFailure, Reach
from auditor.parse.trees import ParsedFile, ParsedFiles
from auditor.paths import is_below, relpath

_NOT_PROJECT = frozenset(
    {
        "site-packages",
        "dist-packages",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "node_modules",
        "build",
        ".git",
        "__pycache__",
    }
)
"""Folders whose modules are installed or generated, not the project's own."""


def is_project_file(path: Path, rootdir: Path) -> bool:
    """Whether `path` is a file of the project's own code: under the rootdir, and in no
    folder of installed or generated modules (`_NOT_PROJECT`)."""
    if not is_below(path, rootdir):
        return False
    parts = PurePosixPath(relpath(path, rootdir)).parts
    return _NOT_PROJECT.isdisjoint(parts[:-1])


class ProjectModules:
    """Module names -> project files -> light summaries, each parsed at most once."""

    def __init__(
        self,
        rootdir: Path,
        suite_files: Iterable[str],
        cache_dir: Path | None = None,
        parsed: Mapping[str, ModuleSummary] | None = None,
        files: ParsedFiles | None = None,
    ) -> None:
        """`parsed`: full summaries of files the model parsed already (used as they are:
        their defs have their reach). `files`: the run's `ast` trees (the rules'); a
        module one of its readers parsed already is summarised from its tree, not
        parsed again."""
        self.rootdir = rootdir
        self.parsed = parsed or {}
        self.files = files
        self.roots = [r for r in (rootdir, rootdir / "src") if r.is_dir()]
        self.suite_files = frozenset(suite_files)
        self.cache = SummaryCache(cache_dir, rootdir, "project") if cache_dir else None
        self._files: dict[str, str | None] = {}
        self._summaries: dict[str, ModuleSummary | None] = {}
        self._sources: dict[str, ProjectSource] = {}
        """Modules parsed in this run, whose defs' reach is read on demand."""
        self._new: dict[str, dict[int, Reach | None]] = {}
        """The reach read in this run, by module and line: added to the cache on `save`."""
        self._stamps: dict[str, tuple[os.stat_result, str]] = {}

    def find(self, module: str) -> str | None:
        """The project file (relative to the rootdir, with ``/``) of a dotted module
        name, or None when it is not the project's (installed, the suite's, absent)."""
        if not module:
            return None
        known = self._files.get(module, "")
        if known != "":
            return known
        found: str | None = None
        for root in self.roots:
            path = _module_file(root, module)
            if path is not None:
                found = self._project_path(path)
                break
        self._files[module] = found
        return found

    def relative(self, importer: str, module: str, level: int) -> str | None:
        """The project file of a relative import (``from .db import Repository``) in
        the file `importer` (relative to the rootdir)."""
        base = self.rootdir / PurePosixPath(importer).parent
        for _ in range(level - 1):
            base = base.parent
        path = _module_file(base, module) if module else _package_file(base)
        return self._project_path(path) if path is not None else None

    def _project_path(self, path: Path) -> str | None:
        if not is_project_file(path, self.rootdir):
            return None
        relative = relpath(path, self.rootdir)
        if relative in self.suite_files:
            return None
        return relative  # a test module the suite does not collect is the project's code

    def summary(self, relative: str) -> ModuleSummary | None:
        """The light summary of a project file, parsed (or read from the cache) once."""
        if relative in self._summaries:
            return self._summaries[relative]
        found = self.parsed.get(relative) or self._load(relative)
        self._summaries[relative] = found
        return found

    def _load(self, relative: str) -> ModuleSummary | None:
        path = self.rootdir / relative
        try:
            stat = path.stat()
            if self.cache is not None:
                cached = self.cache.fresh(relative, stat)
                if cached is not None:
                    self._stamps[relative] = (stat, "")
                    return cached if isinstance(cached, ModuleSummary) else None
            data = path.read_bytes()
        except OSError:
            return None
        digest = content_digest(data)
        self._stamps[relative] = (stat, digest)
        if self.cache is not None:
            cached = self.cache.by_digest(relative, digest)
            if cached is not None:
                self.cache.store(relative, stat, digest, cached)  # touched, not changed
                return cached if isinstance(cached, ModuleSummary) else None
        source = parse_project(relative, data, self._tree(relative))
        if isinstance(source, ParseFailure):
            if self.cache is not None:
                self.cache.store(relative, stat, digest, source)
            return None
        self._sources[relative] = source
        self._new[relative] = {}
        return source.summary

    def reach(self, relative: str, function: Function) -> Reach | None:
        """What a def of a project file calls: from the cache, else read from the
        module's `ast` now (parsed again if the cache held the module without it)."""
        if function.reach is not None:
            return function.reach
        computed = self._new.setdefault(relative, {})
        if function.line in computed:
            return computed[function.line]
        source = self._sources.get(relative)
        if source is None:
            try:
                data = (self.rootdir / relative).read_bytes()
                parsed = parse_project(relative, data, self._tree(relative))
            except OSError:
                parsed = None
            source = parsed if isinstance(parsed, ProjectSource) else None
            if source is None:
                return None
            self._sources[relative] = source
        reach = computed[function.line] = def_reach(source, function.line)
        return reach

    def _tree(self, relative: str) -> ParsedFile | None:
        """The module's text and tree when another reader of this run parsed it."""
        return self.files.already(relative) if self.files is not None else None

    def save(self) -> None:
        """Write the cache file with the reach of every def read in this run added to
        its module's summary (a later run follows the same calls from the cache)."""
        if self.cache is None:
            return
        for relative, computed in sorted(self._new.items()):
            summary = self._summaries.get(relative)
            stamp = self._stamps.get(relative)
            if summary is None or stamp is None:
                continue
            stat, digest = stamp
            if not digest:
                try:
                    digest = content_digest((self.rootdir / relative).read_bytes())
                except OSError:
                    continue
            reaches = {line: reach for line, reach in computed.items() if reach is not None}
            if reaches or relative in self._sources:
                self.cache.store(relative, stat, digest, with_reaches(summary, reaches))
        self.cache.save()
