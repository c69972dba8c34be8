"""The bytes a ``hoist`` writes: the copies of the fixture taken out of their modules
(with the imports only they read: nothing else in the module uses them any more), the
first copy's code (libcst, its comments and layout kept) at the conftest's end with the
imports it needs placed among the others (:mod:`auditor.migrate.imports`)."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import RemoveImportsVisitor

from auditor.migrate.hoist_names import bindings, function_named, reads_of, text_of
from auditor.migrate.imports import Kinds, add_imports


class HoistError(ValueError):
    """A hoist that cannot be made; the message is the hazard."""


@dataclass(frozen=True)
class Hoisted:
    """What a hoist writes: the function (from the first copy) and the imports its code
    needs in the conftest."""

    source: bytes
    """The first copy's module, the function taken from it."""
    imports: tuple[str, ...]


def missing_imports(conftest: bytes, imports: Sequence[str]) -> list[str]:
    """The ``imports`` the conftest does not have yet."""
    if not conftest.strip():
        return list(imports)
    bound = bindings(ast.parse(text_of(conftest)))
    return [s for s in imports if [b.statement for b in bound.get(s.split()[-1], [])] != [s]]


def merged(imports: Sequence[str]) -> list[str]:
    """``from m import a`` and ``from m import b`` as ``from m import a, b``."""
    lines: list[str] = []
    names: dict[str, list[str]] = {}
    for statement in imports:
        words = statement.split(maxsplit=3)
        if words[0] == "from":
            if words[1] not in names:
                names[words[1]] = []
                lines.append(words[1])
            names[words[1]].append(words[3])
        else:
            lines.append(statement)
    return [
        f"from {line} import {', '.join(names[line])}" if line in names else line for line in lines
    ]


def without_fixture(source: bytes, name: str) -> bytes:
    """``source`` without the module-level function ``name`` and the imports only it
    read; every other byte kept."""
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        raise HoistError(f"cannot parse the module: {exc.message}") from exc
    body = list(module.body)
    at = [i for i, s in enumerate(body) if isinstance(s, cst.FunctionDef) and s.name.value == name]
    if len(at) != 1:
        raise HoistError(f"`{name}` is not one module-level function")
    (index,) = at
    removed = body.pop(index)
    if index < len(body) and index > 0:
        following = body[index]
        comments = [line for line in following.leading_lines if line.comment]
        blanks = [line for line in removed.leading_lines if not line.comment]
        body[index] = following.with_changes(leading_lines=[*blanks, *comments])
    return without_unused_imports(module.with_changes(body=body), _read_by(source, name))


def _read_by(source: bytes, name: str) -> set[str]:
    """The module-level names the function ``name`` of ``source`` reads."""
    text = text_of(source)
    node = function_named(ast.parse(text), name)
    return reads_of(text, node) if node is not None else set()


def without_unused_imports(module: cst.Module, names: Iterable[str]) -> bytes:
    """``module``'s bytes without the imports of ``names`` that nothing in it reads any
    more. Left as they are: a name bound by anything else than one unconditional absolute
    import, a name some function of the module takes as a parameter (an imported fixture
    it requests), one that ``__all__`` names (libcst keeps those)."""
    tree = ast.parse(text_of(module.bytes))
    parameters = {
        argument.arg
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        for argument in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)
    }
    bound = bindings(tree)
    context = CodemodContext()
    asked = False
    for name in sorted(set(names) - parameters):
        found = bound.get(name, [])
        if len(found) != 1 or found[0].conditional or not found[0].statement:
            continue
        words = found[0].statement.split()
        if words[0] == "from" and not words[1].startswith("."):
            asname = words[5] if len(words) == 6 else None
            RemoveImportsVisitor.remove_unused_import(context, words[1], words[3], asname)
            asked = True
        elif words[0] == "import" and "." not in words[1]:
            asname = words[3] if len(words) == 4 else None
            RemoveImportsVisitor.remove_unused_import(context, words[1], None, asname)
            asked = True
    if not asked:
        return module.bytes
    return RemoveImportsVisitor(context).transform_module(module).bytes


def with_fixture(conftest: bytes, hoisted: Hoisted, name: str, first_party: Kinds) -> bytes:
    """The conftest with the function ``name`` taken from the first copy at its end and
    the imports its code needs with the others."""
    try:
        source = cst.parse_module(hoisted.source)
        module = cst.parse_module(conftest)
    except cst.ParserSyntaxError as exc:
        raise HoistError(f"cannot parse: {exc.message}") from exc
    function = next(
        s for s in source.body if isinstance(s, cst.FunctionDef) and s.name.value == name
    )
    comments = [line for line in function.leading_lines if line.comment]
    spacing = [cst.EmptyLine(), cst.EmptyLine()] if module.body else []
    function = function.with_changes(leading_lines=[*spacing, *comments])
    module = add_imports(module, merged(missing_imports(conftest, hoisted.imports)), first_party)
    edited = module.with_changes(body=[*module.body, function])
    try:
        data = edited.bytes
    except UnicodeEncodeError as exc:
        raise HoistError(
            f"the fixture's code is not text in the conftest's encoding: {exc}"
        ) from exc
    try:
        compile(data, "<conftest>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:  # pragma: no cover - libcst keeps it valid
        raise HoistError(f"the conftest does not compile: {exc}") from exc
    return data


def first_party_of(rootdir: Path, roots: Iterable[str] = ()) -> Kinds:
    """Whether a top-level module name is the project's own (a folder or module in the
    rootdir, ``src/`` or a ``pythonpath`` entry)."""
    folders = [rootdir, rootdir / "src", *(rootdir / r for r in roots)]

    def first_party(top: str) -> bool:
        return any((f / top).is_dir() or (f / f"{top}.py").is_file() for f in folders)

    return first_party
