"""The summary of a module whose head alone the plan changed (a tier marker, an ``import
pytest``: :mod:`auditor.migrate.heads`), made from the summary the suite's model has of
it and of the head before and after: the head's bindings and marks as the new head has
them, every line after it moved down by the lines the head gained. The model of the planned
tree then parses the head, not the module.

None whenever that is not the summary a parse of the whole module would give: another
change than one to the head, a head that binds other names afterwards, an ``import
pytest`` added to a module that reads a name ``pytest`` of its own, a line of the summary
inside the head, a module long enough to be summarised in chunks.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import TypeVar

from auditor.migrate.heads import head_of
from auditor.parse.extract import CHUNK_LINES
from auditor.parse.run import parse_bytes
from auditor.parse.summary import (
    Binding,
    Call,
    Class,
    DynamicFixture,
    Function,
    Mark,
    ModuleSummary,
    Parametrize,
    Reach,
)

FIXTURES = "_pytest/fixtures.py"
_Lined = TypeVar("_Lined", Binding, Call, DynamicFixture, Mark, Parametrize)


class _Below(Exception):
    """A line of the summary is inside the head."""


class _Shift:
    """Lines from ``start`` on moved down by ``delta``."""

    def __init__(self, start: int, delta: int) -> None:
        self.start = start
        self.delta = delta

    def line(self, line: int) -> int:
        if line >= self.start:
            return line + self.delta
        if line > 0:
            raise _Below
        return line  # 0: no line (imports, `pytestmark`)

    def lined(self, items: tuple[_Lined, ...]) -> tuple[_Lined, ...]:
        return tuple(replace(item, line=self.line(item.line)) for item in items)

    def reach(self, reach: Reach | None) -> Reach | None:
        if reach is None:
            return None
        return replace(
            reach,
            calls=self.lined(reach.calls),
            ordering_asserts=tuple(self.line(line) for line in reach.ordering_asserts),
            loops=tuple((count, self.line(line)) for count, line in reach.loops),
        )

    def function(self, function: Function) -> Function:
        return replace(
            function,
            line=self.line(function.line),
            end_line=self.line(function.end_line),
            marks=self.lined(function.marks),
            parametrize=self.lined(function.parametrize),
            reach=self.reach(function.reach),
        )

    def klass(self, klass: Class) -> Class:
        return replace(
            klass,
            line=self.line(klass.line),
            functions=tuple(self.function(f) for f in klass.functions),
            classes=tuple(self.klass(c) for c in klass.classes),
            marks=self.lined(klass.marks),
            parametrize=self.lined(klass.parametrize),
        )

    def summary(self, summary: ModuleSummary) -> ModuleSummary:
        return replace(
            summary,
            functions=tuple(self.function(f) for f in summary.functions),
            classes=tuple(self.klass(c) for c in summary.classes),
            bindings=self.lined(summary.bindings),
            marks=self.lined(summary.marks),
            parametrize=self.lined(summary.parametrize),
            dynamic_fixtures=self.lined(summary.dynamic_fixtures),
        )


@lru_cache(maxsize=1)
def _pytest_import() -> tuple[Binding, ...]:
    """The bindings a module's ``import pytest`` makes."""
    parsed = parse_bytes("", b"import pytest\n")
    return parsed.bindings if isinstance(parsed, ModuleSummary) else ()


def _only_bindings(summary: ModuleSummary) -> bool:
    """What a head holds: imports (bindings) and a ``pytestmark`` (marks), nothing else."""
    bare = ModuleSummary(summary.path, bindings=summary.bindings, marks=summary.marks)
    return replace(summary, lines=0) == bare


def head_summary(
    summary: ModuleSummary, original: bytes, changed: bytes, path: str
) -> ModuleSummary | None:
    """The summary of ``changed`` (the module's new bytes, at ``path``) from ``summary``,
    that of ``original``; None where only a parse gives it."""
    head = head_of(original)
    if (
        head is None
        or summary.lines >= CHUNK_LINES
        or any(p.endswith(FIXTURES) for p in (summary.path, path))
    ):
        return None  # (pytest's fixtures.py gets an alias of its own by its path)
    tail = original[head.offset :]
    if not changed.endswith(tail):
        return None
    old_head, new_head = original[: head.offset], changed[: len(changed) - len(tail)]
    before, after = parse_bytes(path, old_head), parse_bytes(path, new_head)
    if not (
        isinstance(before, ModuleSummary)
        and isinstance(after, ModuleSummary)
        and _only_bindings(before)
        and _only_bindings(after)
        and not before.marks
        and summary.bindings[: len(before.bindings)] == before.bindings
    ):
        return None
    added = list(after.bindings)
    for binding in before.bindings:  # the same bindings, in order, and `pytest` at most
        if binding not in added:
            return None
        added.remove(binding)
    if added and added != list(_pytest_import()):
        return None
    if added and (head.binds_pytest or head.names_pytest):
        return None  # the module's own `pytest` would be another binding's
    delta = len(new_head.splitlines()) - len(old_head.splitlines())
    try:
        moved = _Shift(head.line, delta).summary(summary)
    except _Below:
        return None
    return replace(
        moved,
        path=path,
        bindings=after.bindings + moved.bindings[len(before.bindings) :],
        marks=after.marks + moved.marks,
        lines=summary.lines + after.lines - before.lines,
    )
