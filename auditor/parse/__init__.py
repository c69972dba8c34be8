"""Source files -> plain-data summaries (libcst), in parallel and through a cache.

`parse_bytes` is the pure core; `parse_files` adds the cache and worker processes.
"""

from __future__ import annotations

from auditor.parse.run import parse_bytes, parse_files
from auditor.parse.summary import (
    Binding,
    Class,
    DynamicFixture,
    FixtureSpec,
    Function,
    Mark,
    ModuleSummary,
    Param,
    Parametrize,
    ParseFailure,
)

__all__ = [
    "Binding",
    "Class",
    "DynamicFixture",
    "FixtureSpec",
    "Function",
    "Mark",
    "ModuleSummary",
    "Param",
    "Parametrize",
    "ParseFailure",
    "parse_bytes",
    "parse_files",
]
