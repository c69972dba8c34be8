"""Qualified names and literal values of libcst expressions, resolved through imports."""

from __future__ import annotations

import operator
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import libcst as cst

from auditor.parse.astnames import qualify


def dotted(expr: cst.BaseExpression) -> str | None:
    """`a.b.c` for a Name/Attribute chain, else None."""
    parts: list[str] = []
    node: cst.BaseExpression = expr
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    parts.append(node.value)
    return ".".join(reversed(parts))


def import_target(node: cst.Attribute | cst.Name) -> str:
    name = dotted(node)
    return name if name is not None else ""


def qualified(expr: cst.BaseExpression, aliases: Mapping[str, str]) -> str | None:
    name = dotted(expr)
    return None if name is None else qualify(name, aliases)


def string_value(expr: cst.BaseExpression) -> str | None:
    """The value of a plain or implicitly concatenated string literal."""
    if isinstance(expr, cst.SimpleString | cst.ConcatenatedString):
        value = expr.evaluated_value
        return value if isinstance(value, str) else None
    return None


def bool_value(expr: cst.BaseExpression) -> bool | None:
    if isinstance(expr, cst.Name) and expr.value in ("True", "False"):
        return expr.value == "True"
    return None


def elements(expr: cst.BaseExpression) -> tuple[cst.BaseExpression, ...] | None:
    """The items of a list/tuple/set display without starred items, else None."""
    if isinstance(expr, cst.List | cst.Tuple | cst.Set):
        items: list[cst.BaseExpression] = []
        for element in expr.elements:
            if isinstance(element, cst.StarredElement):
                return None
            items.append(element.value)
        return tuple(items)
    return None


def string_list(expr: cst.BaseExpression) -> tuple[str, ...] | None:
    """A string, or a list/tuple of strings, as a tuple; None if not literal."""
    single = string_value(expr)
    if single is not None:
        return (single,)
    items = elements(expr)
    if items is None:
        return None
    values = [string_value(item) for item in items]
    if any(v is None for v in values):
        return None
    return tuple(v for v in values if v is not None)


def call_arguments(
    call: cst.Call,
) -> tuple[list[cst.BaseExpression], dict[str, cst.BaseExpression]]:
    """Positional and keyword arguments of a call (star-args are dropped)."""
    positional: list[cst.BaseExpression] = []
    keywords: dict[str, cst.BaseExpression] = {}
    for arg in call.args:
        if arg.star:
            continue
        if arg.keyword is not None:
            keywords[arg.keyword.value] = arg.value
        else:
            positional.append(arg.value)
    return positional, keywords


def module_aliases(statements: Iterable[cst.BaseStatement]) -> dict[str, str]:
    """Local name -> qualified name for every import in these statements (recursively
    through if/try/with blocks), plus simple `name = dotted.name` aliases."""
    aliases: dict[str, str] = {}
    for small in _small_statements(statements):
        if isinstance(small, cst.Import):
            for alias in small.names:
                full = import_target(alias.name)
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    aliases[alias.asname.name.value] = full
                else:
                    head = full.partition(".")[0]
                    aliases[head] = head
        elif isinstance(small, cst.ImportFrom) and not small.relative:
            if small.module is None or isinstance(small.names, cst.ImportStar):
                continue
            module = import_target(small.module)
            for alias in small.names:
                name = import_target(alias.name)
                local = name
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    local = alias.asname.name.value
                aliases[local] = f"{module}.{name}"
        elif isinstance(small, cst.Assign) and len(small.targets) == 1:
            target = small.targets[0].target
            value = dotted(small.value)
            if isinstance(target, cst.Name) and value is not None and "." in value:
                aliases[target.value] = qualify(value, aliases)
    return aliases


def _small_statements(
    statements: Iterable[cst.BaseStatement],
) -> Iterable[cst.BaseSmallStatement]:
    for statement in statements:
        if isinstance(statement, cst.SimpleStatementLine):
            yield from statement.body
        elif isinstance(statement, cst.If | cst.Try | cst.With | cst.TryStar):
            yield from _small_statements(_blocks(statement))


def _if_suites(statement: cst.If) -> list[cst.BaseSuite]:
    """The branches of an if/elif/else that may run: one when the tests are decidable
    statically (see `static_truth`), all of them otherwise."""
    suites: list[cst.BaseSuite] = []
    branch: cst.If | cst.Else | None = statement
    undecided = False
    while branch is not None:
        if isinstance(branch, cst.Else):
            suites.append(branch.body)
            break
        truth = static_truth(branch.test)
        if truth is True and not undecided:
            suites.append(branch.body)
            break
        if truth is not False:
            suites.append(branch.body)
            undecided = True
        branch = branch.orelse
    return suites


_FALSE_NAMES = frozenset({"TYPE_CHECKING", "typing.TYPE_CHECKING", "t.TYPE_CHECKING"})
_COMPARE: dict[type[cst.BaseCompOp], Callable[[Any, Any], Any]] = {
    cst.Equal: operator.eq,
    cst.NotEqual: operator.ne,
    cst.GreaterThan: operator.gt,
    cst.GreaterThanEqual: operator.ge,
    cst.LessThan: operator.lt,
    cst.LessThanEqual: operator.le,
}


def static_truth(test: cst.BaseExpression) -> bool | None:
    """The value of an `if` test that does not depend on the run: TYPE_CHECKING,
    ``sys.version_info`` and ``sys.platform`` comparisons (for this interpreter),
    ``sys.gettrace()`` (false outside a debugger), and not/and/or of those."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = static_truth(test.expression)
        return None if inner is None else not inner
    if isinstance(test, cst.BooleanOperation):
        left, right = static_truth(test.left), static_truth(test.right)
        if isinstance(test.operator, cst.And):
            return False if False in (left, right) else (None if None in (left, right) else True)
        return True if True in (left, right) else (None if None in (left, right) else False)
    name = dotted(test)
    if name in _FALSE_NAMES:
        return False
    if isinstance(test, cst.Call):
        called = dotted(test.func)
        if called == "sys.gettrace":
            return False
        if called == "sys.platform.startswith" and test.args:
            prefix = string_value(test.args[0].value)
            return None if prefix is None else sys.platform.startswith(prefix)
        return None
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        target = test.comparisons[0]
        compare = _COMPARE.get(type(target.operator))
        left_value = _runtime_value(test.left)
        right_value = _runtime_value(target.comparator)
        if compare is None or left_value is None or right_value is None:
            return None
        try:
            return bool(compare(left_value, right_value))
        except TypeError:
            return None
    return None


def _runtime_value(expr: cst.BaseExpression) -> object | None:
    if isinstance(expr, cst.Subscript) and dotted(expr.value) == "sys.version_info":
        return _version_slice(expr)
    name = dotted(expr)
    if name == "sys.version_info":
        return tuple(sys.version_info)
    if name == "sys.platform":
        return sys.platform
    if isinstance(expr, cst.Integer):
        return int(expr.value)
    text = string_value(expr)
    if text is not None:
        return text
    items = elements(expr)
    if items is not None and all(isinstance(i, cst.Integer) for i in items):
        return tuple(int(i.value) for i in items if isinstance(i, cst.Integer))
    return None


def _version_slice(expr: cst.Subscript) -> object | None:
    """`sys.version_info[:2]` or `sys.version_info[0]` for this interpreter."""
    if len(expr.slice) != 1:
        return None
    index = expr.slice[0].slice
    version = tuple(sys.version_info)
    if isinstance(index, cst.Index) and isinstance(index.value, cst.Integer):
        return version[int(index.value.value)]
    bounded = isinstance(index, cst.Slice) and index.lower is None and index.step is None
    if bounded and isinstance(index, cst.Slice) and isinstance(index.upper, cst.Integer):
        return version[: int(index.upper.value)]
    return None


def _blocks(statement: cst.BaseCompoundStatement) -> list[cst.BaseStatement]:
    """The statements of a compound statement's suites, in source order."""
    body: list[cst.BaseStatement] = []
    suites: list[cst.BaseSuite] = [statement.body]
    if isinstance(statement, cst.If):
        suites = _if_suites(statement)
    elif isinstance(statement, cst.Try | cst.TryStar):
        suites.extend(handler.body for handler in statement.handlers)
        if statement.orelse is not None:
            suites.append(statement.orelse.body)
        if statement.finalbody is not None:
            suites.append(statement.finalbody.body)
    elif isinstance(statement, cst.For | cst.While) and statement.orelse is not None:
        suites.append(statement.orelse.body)
    for suite in suites:
        if isinstance(suite, cst.IndentedBlock):
            body.extend(suite.body)
        elif isinstance(suite, cst.SimpleStatementSuite):
            body.append(cst.SimpleStatementLine(body=suite.body))
    return body


def flatten_blocks(statements: Iterable[cst.BaseStatement]) -> list[cst.BaseStatement]:
    """Statements with if/try/with/for/while blocks opened up, in source order."""
    flat: list[cst.BaseStatement] = []
    for statement in statements:
        if isinstance(statement, cst.If | cst.Try | cst.TryStar | cst.With | cst.For | cst.While):
            flat.extend(flatten_blocks(_blocks(statement)))
        else:
            flat.append(statement)
    return flat
