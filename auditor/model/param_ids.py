"""The parametrize ids of a test's cases, spelled from literal `parametrize` decorators.

Only `-k` needs them (an id is part of the name ``test_x[1-a]`` it matches), so they are
read on demand from the source with `ast` (never imported). The ids follow pytest's
``IdMaker`` (``_pytest/python.py``): an explicit ``ids=[...]`` entry or ``pytest.param(...,
id=...)`` first; a str, bytes, number, bool or None value as itself (non-ASCII escaped);
any other value as its argname and index (``obj0``); the values of one case joined with
``-``, and the decorators' ids joined with ``-`` in the order they apply (the one nearest
the ``def`` first). Anything else (ids computed by a function, values that are not a
literal list, duplicate ids pytest would number, marks of the class or module) and the
answer is None: unknown.
"""

from __future__ import annotations

import ast
import functools
import itertools
from pathlib import Path

_PARAM = ("pytest.param", "param")
_PARAMETRIZE = ("pytest.mark.parametrize", "mark.parametrize", "parametrize")


def case_ids(path: Path, line: int, cases: int | None) -> list[str] | None:
    """The ids of the cases of the function whose ``def`` is at `line` of `path`, or
    None when they cannot be spelled (or do not make `cases` cases)."""
    function = _functions(path).get(line)
    if function is None:
        return None
    decorators = [d for d in function.decorator_list if _is_parametrize(d)]
    per_decorator: list[list[str]] = []
    for decorator in reversed(decorators):
        assert isinstance(decorator, ast.Call)
        ids = _decorator_ids(decorator)
        if ids is None:
            return None
        per_decorator.append(ids)
    combined = ["-".join(parts) for parts in itertools.product(*per_decorator)]
    if not per_decorator or len(combined) != cases or len(set(combined)) != len(combined):
        return None
    return combined


@functools.lru_cache(maxsize=64)
def _functions(path: Path) -> dict[int, ast.FunctionDef | ast.AsyncFunctionDef]:
    try:
        tree = ast.parse(path.read_bytes())
    except (OSError, SyntaxError, ValueError):
        return {}
    return {
        node.lineno: node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _is_parametrize(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and _dotted(node.func) in _PARAMETRIZE


def _decorator_ids(call: ast.Call) -> list[str] | None:
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    argnames_node = call.args[0] if call.args else keywords.get("argnames")
    values_node = call.args[1] if len(call.args) > 1 else keywords.get("argvalues")
    argnames = _argnames(argnames_node)
    if argnames is None or not isinstance(values_node, ast.List | ast.Tuple):
        return None
    explicit: list[str | None] | None = None
    if "ids" in keywords:
        ids_node = keywords["ids"]
        if not isinstance(ids_node, ast.List | ast.Tuple):
            return None
        explicit = []
        for element in ids_node.elts:
            value = _literal(element)
            if value is not None and not isinstance(value[0], str | type(None)):
                return None
            explicit.append(None if value is None else value[0])  # type: ignore[arg-type]
    ids: list[str] = []
    for index, case in enumerate(values_node.elts):
        given = explicit[index] if explicit is not None and index < len(explicit) else None
        values, param_id = _case(case, len(argnames))
        if values is None:
            return None
        if given is not None:
            ids.append(given)
        elif param_id is not None:
            ids.append(param_id)
        else:
            ids.append("-".join(_id(v, n, index) for v, n in zip(values, argnames, strict=True)))
    return ids or None


def _argnames(node: ast.expr | None) -> list[str] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [n.strip() for n in node.value.split(",") if n.strip()]
    if isinstance(node, ast.List | ast.Tuple):
        names = [e.value for e in node.elts if isinstance(e, ast.Constant)]
        if len(names) == len(node.elts) and all(isinstance(n, str) for n in names):
            return [str(n) for n in names]
    return None


def _case(node: ast.expr, width: int) -> tuple[list[ast.expr] | None, str | None]:
    """A case's values (one per argname) and its ``pytest.param(id=...)``."""
    param_id: str | None = None
    if isinstance(node, ast.Call) and _dotted(node.func) in _PARAM:
        values: list[ast.expr] = list(node.args)
        for keyword in node.keywords:
            if keyword.arg == "id":
                literal = _literal(keyword.value)
                if literal is None or not isinstance(literal[0], str | type(None)):
                    return None, None
                param_id = literal[0]
        return (values if len(values) == width else None), param_id
    if width == 1:
        return [node], None
    if isinstance(node, ast.List | ast.Tuple) and len(node.elts) == width:
        return list(node.elts), None
    return None, None


def _literal(node: ast.expr) -> tuple[object] | None:
    """(value,) of a literal constant (a negative number too), else None."""
    try:
        value = ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    return (value,)


def _id(node: ast.expr, argname: str, index: int) -> str:
    literal = _literal(node)
    if literal is not None:
        value = literal[0]
        if isinstance(value, str):
            return value.encode("unicode_escape").decode("ascii")
        if isinstance(value, bytes):
            return value.decode("ascii", "backslashreplace")
        if value is None or isinstance(value, bool | int | float | complex):
            return str(value)
    return f"{argname}{index}"
