"""A module's head: its docstring and leading imports, where a tier marker goes (with an
``import pytest`` when it has none). Marking edits only the head, so it is enough to parse
the head with libcst, followed by a one-line stand-in for the statement after it, and to
put the rest of the module's bytes back after it unchanged: a module of thousands of lines
costs an `ast` parse (to find the head), not a libcst parse.

Only where that gives the same bytes as marking the whole module: a module with no
``pytestmark`` anywhere, in an encoding that keeps ASCII bytes (so lines end where `ast`
counts them), whose first other statement starts a line of its own.
"""

from __future__ import annotations

import ast
import codecs
import io
import re
import tokenize
from dataclasses import dataclass
from functools import lru_cache

ASCII_KEPT = frozenset({"utf-8", "utf-8-sig", "iso8859-1", "ascii", "cp1252"})
NEWLINE = re.compile(rb"\r\n?|\n")
"""As libcst finds a module's newline: the first one."""


@dataclass(frozen=True, slots=True)
class Head:
    offset: int
    """Bytes before the first statement that is neither the docstring nor an import."""
    line: int
    """That statement's first line (its first decorator's), from 1."""
    stand_in: bytes
    """A statement of the same kind for libcst (a def or class, or not), in the module's
    newline."""
    binds_pytest: bool
    """A top-level ``import pytest``, anywhere in the module."""
    names_pytest: bool
    """The module's code reads or binds the name ``pytest`` (an `ast.Name`)."""


def _leading(node: ast.stmt, index: int) -> bool:
    if isinstance(node, ast.Import | ast.ImportFrom):
        return True
    return (
        index == 0
        and isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str | bytes)
    )


def _encoding(source: bytes) -> str | None:
    try:
        found, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
        return codecs.lookup(found).name
    except (SyntaxError, LookupError):
        return None


@lru_cache(maxsize=4096)  # the plan's check, the proof's edit and its model read it
def head_of(source: bytes) -> Head | None:
    """The module's head, or None where marking needs the whole module parsed."""
    if b"pytestmark" in source or _encoding(source) not in ASCII_KEPT:
        return None
    newline = NEWLINE.search(source)
    if newline is None:
        return None
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    body = tree.body
    index = next((i for i, node in enumerate(body) if not _leading(node, i)), None)
    if index is None:
        return None
    node = body[index]
    decorators = getattr(node, "decorator_list", [])
    line = min([node.lineno, *(d.lineno for d in decorators)])
    if index and (body[index - 1].end_lineno or body[index - 1].lineno) >= line:
        return None  # it shares a line with an import: libcst sees one statement
    lines = source.splitlines(keepends=True)
    offset = sum(len(text) for text in lines[: line - 1])
    end = newline.group(0)
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        stand_in = b"def _():" + end + b"    pass" + end
    else:
        stand_in = b"pass" + end
    binds = any(
        isinstance(n, ast.Import) and any(a.name == "pytest" and a.asname is None for a in n.names)
        for n in body
    )
    named = any(isinstance(n, ast.Name) and n.id == "pytest" for n in ast.walk(tree))
    return Head(offset, line, stand_in, binds, named)
