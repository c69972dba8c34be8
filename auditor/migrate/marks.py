"""The tier marker in a module's ``pytestmark``: whether it is there, and the module with it
merged in (libcst, which keeps the file's encoding, coding cookie, BOM and line endings).
"""

from __future__ import annotations

import re
from functools import lru_cache

import libcst as cst

from auditor.migrate.heads import head_of
from auditor.migrate.imports import add_import


class EditError(ValueError):
    """An edit that cannot be made safely; the message is the hazard."""


# -- pytestmark --------------------------------------------------------------------------


def _binds_pytest(module: cst.Module) -> bool:
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Import):
                    for alias in small.names:
                        if alias.asname is None and module.code_for_node(alias.name) == "pytest":
                            return True
    return False


def _pytestmark(module: cst.Module) -> tuple[int, cst.Assign] | None:
    found: list[tuple[int, cst.Assign]] = []
    for index, statement in enumerate(module.body):
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Assign) and any(
                isinstance(t.target, cst.Name) and t.target.value == "pytestmark"
                for t in small.targets
            ):
                if len(statement.body) > 1 or len(small.targets) > 1:
                    raise EditError("`pytestmark` shares its line or its value with another name")
                found.append((index, small))
            elif (
                isinstance(small, cst.AugAssign | cst.AnnAssign)
                and isinstance(small.target, cst.Name)
                and small.target.value == "pytestmark"
            ):
                raise EditError("`pytestmark` is annotated or augmented: cannot merge a marker")
    if len(found) > 1:
        raise EditError("`pytestmark` is assigned more than once")
    return found[0] if found else None


def _leading_imports_end(module: cst.Module) -> int:
    """Index of the first statement after the docstring and the leading imports."""
    for index, statement in enumerate(module.body):
        if isinstance(statement, cst.SimpleStatementLine) and all(
            isinstance(s, cst.Import | cst.ImportFrom)
            or (index == 0 and isinstance(s, cst.Expr) and isinstance(s.value, cst.SimpleString))
            for s in statement.body
        ):
            continue
        return index
    return len(module.body)


def _opening_space(value: cst.List | cst.Tuple) -> cst.BaseParenthesizableWhitespace:
    """What follows the opening bracket (a new line and the indent in a list written one
    element a line), for the space between its only element and the next."""
    opening = value.lbracket if isinstance(value, cst.List) else next(iter(value.lpar), None)
    if opening is not None and isinstance(opening.whitespace_after, cst.ParenthesizedWhitespace):
        return opening.whitespace_after
    return cst.SimpleWhitespace(" ")


def _merged(value: cst.BaseExpression, mark: cst.BaseExpression, code: str) -> cst.BaseExpression:
    if isinstance(value, cst.List | cst.Tuple):
        elements = list(value.elements)
        if not elements:
            return value.with_changes(elements=[cst.Element(mark)])
        last = elements[-1]
        if isinstance(last, cst.StarredElement):
            raise EditError("`pytestmark` unpacks another list: cannot merge a marker")
        if isinstance(last.comma, cst.Comma):  # a trailing comma: keep the layout
            separator = (
                elements[-2].comma.whitespace_after
                if len(elements) > 1 and isinstance(elements[-2].comma, cst.Comma)
                else _opening_space(value)
            )
            elements[-1] = last.with_changes(comma=cst.Comma(whitespace_after=separator))
            elements.append(cst.Element(mark, comma=last.comma))
        else:
            elements[-1] = last.with_changes(
                comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            )
            elements.append(cst.Element(mark))
        return value.with_changes(elements=elements)
    if isinstance(value, cst.Attribute | cst.Call) and (
        code.startswith(("pytest.mark.", "mark.")) or ".mark." in code.split("(")[0]
    ):
        space = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        return cst.List([cst.Element(value, comma=space), cst.Element(mark)])
    raise EditError(f"`pytestmark = {code}` is not a literal list or mark: cannot merge a marker")


def has_module_marker(source: bytes, marker: str) -> bool:
    """Whether the module's ``pytestmark`` already names ``marker``."""
    if b"pytestmark" not in source or (marker.isascii() and marker.encode() not in source):
        return False  # the answer without a parse (libcst) of a module with no pytestmark
    try:
        module = cst.parse_module(source)
        found = _pytestmark(module)
    except (cst.ParserSyntaxError, EditError):
        return False
    if found is None:
        return False
    code = module.code_for_node(found[1].value)
    pattern = rf"mark\.{re.escape(marker)}(?!\w)"  # not `mark.units` for `unit`
    return re.search(pattern, code.replace(" ", "")) is not None


@lru_cache(maxsize=4096)  # planning marks the same bytes in every round of the proof
def mark_module(source: bytes, marker: str, first_party: frozenset[str] = frozenset()) -> bytes:
    """``source`` with ``pytest.mark.<marker>`` in its module-level ``pytestmark`` (merged
    into an existing one), and ``import pytest`` with the other imports when it has none
    (``first_party``: the project's top-level names, to tell its block from pytest's);
    everything else byte for byte as it was. Only the module's head is parsed when that
    is enough (:mod:`auditor.migrate.heads`)."""
    edited = _marked_head(source, marker, first_party)
    if edited is None:
        try:
            module = cst.parse_module(source)
        except cst.ParserSyntaxError as exc:
            raise EditError(f"cannot parse the module: {exc.message}") from exc
        edited = _marked(module, marker, first_party, _binds_pytest(module)).bytes
    try:
        compile(edited, "<marked>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:  # pragma: no cover - libcst keeps it valid
        raise EditError(f"the marked module does not compile: {exc}") from exc
    return edited


def _marked_head(source: bytes, marker: str, first_party: frozenset[str]) -> bytes | None:
    """The marked module from its head alone (None: the whole module must be parsed):
    the head and a stand-in for the statement after it, marked, then the rest."""
    head = head_of(source)
    if head is None:
        return None
    try:
        module = cst.parse_module(source[: head.offset] + head.stand_in)
    except cst.ParserSyntaxError:
        return None
    if _leading_imports_end(module) != len(module.body) - 1:
        return None  # libcst reads the head otherwise than `ast` did
    marked = _marked(module, marker, first_party, head.binds_pytest).bytes
    if not marked.endswith(head.stand_in):  # pragma: no cover - the stand-in is not edited
        return None
    return marked[: -len(head.stand_in)] + source[head.offset :]


def _marked(
    module: cst.Module, marker: str, first_party: frozenset[str], binds_pytest: bool
) -> cst.Module:
    mark = cst.parse_expression(f"pytest.mark.{marker}")
    body = list(module.body)
    found = _pytestmark(module)
    if found is not None:
        index, assign = found
        value = _merged(assign.value, mark, module.code_for_node(assign.value))
        statement = body[index]
        assert isinstance(statement, cst.SimpleStatementLine)
        body[index] = statement.with_changes(body=[assign.with_changes(value=value)])
    at = _leading_imports_end(module)
    if found is None:
        line = cst.parse_statement(f"pytestmark = pytest.mark.{marker}\n")
        if at < len(body):  # the code after it keeps a blank line (two before a def)
            following = body[at]
            blank = 2 if isinstance(following, cst.FunctionDef | cst.ClassDef) else 1
            if not following.leading_lines:
                body[at] = following.with_changes(leading_lines=[cst.EmptyLine()] * blank)
        body.insert(at, line.with_changes(leading_lines=[cst.EmptyLine()]))
    marked = module.with_changes(body=body)
    if not binds_pytest:
        marked = add_import(marked, "import pytest", first_party.__contains__)
    return marked
