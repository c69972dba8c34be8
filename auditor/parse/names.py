"""Qualified names and literal values of libcst expressions, resolved through imports."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import libcst as cst


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


def qualify(name: str, aliases: Mapping[str, str]) -> str:
    """Replace the first part of a dotted name by what it was imported as."""
    head, _, rest = name.partition(".")
    base = aliases.get(head)
    if base is None:
        return name
    return f"{base}.{rest}" if rest else base


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


def _blocks(statement: cst.BaseCompoundStatement) -> list[cst.BaseStatement]:
    """The statements of a compound statement's suites, in source order."""
    body: list[cst.BaseStatement] = []
    suites: list[cst.BaseSuite] = [statement.body]
    if isinstance(statement, cst.If):
        orelse = statement.orelse
        while orelse is not None:
            suites.append(orelse.body)
            orelse = orelse.orelse if isinstance(orelse, cst.If) else None
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
