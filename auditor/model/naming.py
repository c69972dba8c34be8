"""pytest's rules for names, applied to summaries: which names are collected as tests
and which parameters of a def are fixture arguments.

Each function mirrors one pytest function, named in its docstring, for a def seen
statically instead of imported.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable

from auditor.parse.summary import Function


def matches_prefix_or_glob(name: str, options: Iterable[str]) -> bool:
    """pytest's ``_matches_prefix_or_glob_option``."""
    for option in options:
        if name.startswith(option):
            return True
        if ("*" in option or "?" in option or "[" in option) and fnmatch.fnmatch(name, option):
            return True
    return False


def funcargnames(function: Function, *, method: bool, extra_patches: int = 0) -> tuple[str, ...]:
    """pytest's ``getfuncargnames`` for a def seen statically."""
    names = [
        p.name
        for p in function.params
        if p.kind in ("positional", "keyword_only") and not p.has_default
    ]
    has_positional_only = any(p.kind == "positional_only" for p in function.params)
    if method and not function.is_staticmethod and not has_positional_only:
        names = names[1:]
    patches = function.mock_patch_args + extra_patches
    if patches and (function.decorated or extra_patches):
        names = names[patches:]
    if function.supplied or function.supplied_positional:
        # hypothesis.given fills these: keyword strategies by name, positional ones last.
        names = [n for n in names if n not in function.supplied]
        if function.supplied_positional:
            names = names[: -function.supplied_positional]
    return tuple(names)
