"""Line numbers of every def and class, without libcst's PositionProvider.

libcst computes positions by re-generating the whole file's code, which costs three times
the parse itself. The standard library's `ast` gives the same lines for defs and classes
at a tenth of the cost. Both trees are walked in the same order (module and class bodies,
with if/try/with/for/while blocks opened up, never into function bodies), so the n-th def
libcst meets is the n-th def `ast` meets; names are checked pairwise.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field

_BLOCKS = (ast.If, ast.Try, ast.With, ast.AsyncWith, ast.For, ast.AsyncFor, ast.While)
_TRY_STAR = getattr(ast, "TryStar", ast.Try)


@dataclass(frozen=True, slots=True)
class DefLine:
    name: str
    line: int
    col: int
    end_line: int
    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | None = field(
        default=None, compare=False, repr=False
    )


def _flat(statements: list[ast.stmt]) -> Iterator[ast.stmt]:
    for statement in statements:
        if isinstance(statement, (*_BLOCKS, _TRY_STAR)):
            yield from _flat(statement.body)
            if isinstance(statement, (ast.Try, _TRY_STAR)):
                for handler in statement.handlers:
                    yield from _flat(handler.body)
            orelse = getattr(statement, "orelse", [])
            yield from _flat(orelse)
            yield from _flat(getattr(statement, "finalbody", []))
        else:
            yield statement


def _defs(statements: list[ast.stmt]) -> Iterator[DefLine]:
    for statement in _flat(statements):
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            end = statement.end_lineno or statement.lineno
            yield DefLine(statement.name, statement.lineno, statement.col_offset, end, statement)
            if isinstance(statement, ast.ClassDef):
                yield from _defs(statement.body)


def def_lines(tree: ast.Module) -> list[DefLine]:
    """Lines of defs/classes in structural order."""
    return list(_defs(tree.body))


class LineCursor:
    """Hands out the lines of defs in the order libcst meets them."""

    def __init__(self, lines: list[DefLine]) -> None:
        self._lines = lines
        self._next = 0

    def take(self, name: str) -> DefLine:
        for index in range(self._next, len(self._lines)):
            if self._lines[index].name == name:
                self._next = index + 1
                return self._lines[index]
        return DefLine(name, 0, 0, 0)


def fixture_call_lines(tree: ast.Module) -> list[int]:
    """Lines of module-level statements that call a `...fixture(...)` outside a
    decorator (fixtures made at run time), in structural order."""
    found: list[int] = []
    for statement in _flat(tree.body):
        if isinstance(statement, ast.Assign | ast.AugAssign | ast.AnnAssign | ast.Expr):
            for node in ast.walk(statement):
                if isinstance(node, ast.Call) and _named_fixture(node.func):
                    found.append(statement.lineno)
                    break
    return found


def _named_fixture(func: ast.expr) -> bool:
    if isinstance(func, ast.Attribute):
        return func.attr == "fixture"
    return isinstance(func, ast.Name) and func.id == "fixture"
