"""The summaries the model of the planned tree can take from the suite's own model: a
file the plan moves or leaves alone, without writing it, has the bytes it had, so its
summary is the one the suite's analysis made (under its new path); a module the plan only
marks gets that summary with its new head's (:mod:`auditor.migrate.head_summary`). They
go into the proof's summary cache for the planned tree before it is modelled, so that only
the files the plan otherwise writes (rewritten, split, hoisted into) are parsed again.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from auditor.migrate.edits import Changes
from auditor.migrate.head_summary import head_summary
from auditor.parse.cache import SummaryCache, content_digest
from auditor.parse.summary import ModuleSummary
from auditor.pipeline import Analysis


def known_summaries(before: Analysis) -> dict[str, ModuleSummary]:
    """Every summary of a file under the rootdir that the suite's model holds, by path."""
    suite = before.suite
    return {**suite.parsed, **suite.helpers, **suite.modules}


def unchanged_summaries(
    known: Mapping[str, ModuleSummary], changes: Changes
) -> dict[str, ModuleSummary]:
    """The summaries that hold in the planned tree, by their path there: every file the
    change set does not write, at its new place when it is moved, and those whose head
    alone it changes (:mod:`auditor.migrate.head_summary`)."""
    arrived = set(changes.renames.values())
    found: dict[str, ModuleSummary] = {}
    for path, summary in known.items():
        new = changes.renames.get(path, path)
        if path not in changes.renames and path in arrived:
            continue  # another file moved in
        written, original = changes.writes.get(new), changes.originals.get(new)
        if written is None:
            found[new] = summary if new == path else replace(summary, path=new)
        elif original is not None and (derived := head_summary(summary, original, written, new)):
            found[new] = derived  # a tier marker (and `import pytest`) added, no more
    return found


def seed_cache(tree: Path, cache_dir: Path, summaries: Mapping[str, ModuleSummary]) -> SummaryCache:
    """A summary cache of the planned ``tree`` (under ``cache_dir``, saved) holding
    ``summaries`` for the files there as they are now (stamped with their size, mtime
    and content digest, as a parse would have stored them)."""
    cache = SummaryCache(cache_dir, tree)
    for path, summary in summaries.items():
        file = tree / path
        try:
            stat = os.stat(file)
            digest = content_digest(file.read_bytes())
        except OSError:  # not copied (too big), or not a file in the tree
            continue
        cache.store(path, stat, digest, summary)
    cache.save()
    return cache
