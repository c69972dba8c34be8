"""Where an import a migration adds goes: with the module's other imports, after its
docstring and ``from __future__`` imports, in the block of its kind (standard library,
third party, first party, relative) as the file orders them, sorted into that block when
the block is sorted (``import x`` before ``from x import y``, as isort and ruff do), at
its end otherwise; a block of its own, between the kinds before and after it, when the
file has none of that kind.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import libcst as cst

FUTURE, STDLIB, THIRD, FIRST, RELATIVE = range(5)
Kinds = Callable[[str], bool]
"""Whether a top-level module name is first party (the project's own)."""

STDLIB_NAMES = frozenset(sys.stdlib_module_names)


def _module_of(statement: cst.BaseStatement) -> tuple[int, str, int] | None:
    """(is a ``from`` import, its module, relative level) of an import statement."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    node = statement.body[0]
    if isinstance(node, cst.Import):
        return 0, _dotted(node.names[0].name), 0
    if isinstance(node, cst.ImportFrom):
        module = _dotted(node.module) if node.module is not None else ""
        return 1, module, len(node.relative)
    return None


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


def kind_of(module: str, level: int, first_party: Kinds) -> int:
    """The block an import of ``module`` belongs in."""
    top = module.split(".")[0]
    if level:
        return RELATIVE
    if top == "__future__":
        return FUTURE
    if top in STDLIB_NAMES:
        return STDLIB
    return FIRST if first_party(top) else THIRD


@dataclass(frozen=True, slots=True)
class _Import:
    index: int
    kind: int
    key: tuple[int, str]
    block: int


def _leading(module: cst.Module, first_party: Kinds) -> tuple[int, list[_Import]]:
    """Where the leading imports start (after the docstring) and each of them, with its
    block (a blank line or a comment starts a new one)."""
    body = module.body
    start = 0
    if body and _is_docstring(body[0]):
        start = 1
    found: list[_Import] = []
    block = 0
    for index in range(start, len(body)):
        statement = body[index]
        described = _module_of(statement)
        if described is None:
            break
        is_from, name, level = described
        if found and statement.leading_lines:
            block += 1
        kind = kind_of(name, level, first_party)
        found.append(_Import(index, kind, (is_from, name.lower()), block))
    return start, found


def _is_docstring(statement: cst.BaseStatement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, cst.SimpleString | cst.ConcatenatedString)
    )


def add_import(module: cst.Module, line: str, first_party: Kinds) -> cst.Module:
    """``module`` with the import statement ``line`` placed where it belongs."""
    statement = cst.parse_statement(line.rstrip("\n") + "\n")
    described = _module_of(statement)
    if described is None:
        raise ValueError(f"not an import statement: {line!r}")
    is_from, name, level = described
    kind = kind_of(name, level, first_party)
    key = (is_from, name.lower())
    body = list(module.body)
    start, leading = _leading(module, first_party)
    same = [i for i in leading if i.kind == kind and i.kind != FUTURE]
    blank = [cst.EmptyLine()]
    if same:
        block = [i for i in leading if i.block == same[-1].block]
        keys = [i.key for i in block]
        at = block[-1].index + 1
        if keys == sorted(keys):
            later = [i for i in block if i.key > key]
            if later:
                at = later[0].index
        if at == block[0].index:  # first of its block: it takes the block's spacing
            first = body[at]
            body[at] = first.with_changes(leading_lines=[])
            statement = statement.with_changes(leading_lines=first.leading_lines)
        body.insert(at, statement)
        return module.with_changes(body=body)
    before = [i for i in leading if i.kind < kind]
    after = [i for i in leading if i.kind > kind]
    if after:
        at = after[0].index
        first = body[at]
        if at == start and not before:
            # the first import of the file: the new block takes its spacing
            statement = statement.with_changes(leading_lines=first.leading_lines)
            body[at] = first.with_changes(leading_lines=blank)
        else:
            statement = statement.with_changes(leading_lines=blank)
            if not first.leading_lines:
                body[at] = first.with_changes(leading_lines=blank)
    elif before:
        at = before[-1].index + 1
        statement = statement.with_changes(leading_lines=blank)
        if at < len(body) and not body[at].leading_lines:
            body[at] = body[at].with_changes(leading_lines=blank)
    else:  # no import at all: after the docstring
        at = start
        if start:
            statement = statement.with_changes(leading_lines=blank)
        if at < len(body) and not body[at].leading_lines:
            body[at] = body[at].with_changes(leading_lines=blank)
    body.insert(at, statement)
    return module.with_changes(body=body)


def add_imports(module: cst.Module, lines: Sequence[str], first_party: Kinds) -> cst.Module:
    for line in lines:
        module = add_import(module, line, first_party)
    return module


@lru_cache(maxsize=1024)
def first_party_names(rootdir: Path, *folders: Path) -> frozenset[str]:
    """The project's own top-level names: the packages and modules in the rootdir, its
    ``src/`` folder and ``folders`` (a test module's own folder, on ``sys.path`` in the
    prepend import mode)."""
    found: set[str] = set()
    for folder in (rootdir, rootdir / "src", *folders):
        try:
            entries = list(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            if entry.suffix == ".py":
                found.add(entry.stem)
            elif entry.is_dir() and entry.name.isidentifier():
                found.add(entry.name)
    return frozenset(found)
