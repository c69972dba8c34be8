"""The shapes of paths relative to a module's own file that a move can rewrite: a
``pathlib`` chain (``Path(__file__).parent``, ``.parents[k]``, with ``.resolve()`` or
``.absolute()``) and nested ``os.path.dirname(__file__)`` (around ``abspath``,
``realpath`` or ``normpath``), as libcst nodes."""

from __future__ import annotations

import libcst as cst

PATH_METHODS = frozenset({"resolve", "absolute"})
OS_WRAPPERS = frozenset({"abspath", "realpath", "normpath"})


def dotted(node: cst.BaseExpression | None) -> str | None:
    if node is None:
        return ""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = dotted(node.value)
        return None if head is None else f"{head}.{node.attr.value}"
    return None


def _is_file_name(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "__file__"


def _path_base(node: cst.BaseExpression) -> bool:
    """``Path(__file__)``, ``pathlib.Path(__file__)``, optionally ``.resolve()``."""
    if (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value in PATH_METHODS
        and not node.args
    ):
        return _path_base(node.func.value)
    if isinstance(node, cst.Call) and len(node.args) == 1 and _is_file_name(node.args[0].value):
        return (dotted(node.func) or "").split(".")[-1] in ("Path", "PurePath")
    return False


def path_chain(node: cst.BaseExpression) -> tuple[cst.BaseExpression, int] | None:
    """(``Path(__file__)`` part, how many folders up) of ``...parent.parent`` or
    ``...parents[k]``."""
    if isinstance(node, cst.Attribute) and node.attr.value == "parent":
        if _path_base(node.value):
            return node.value, 1
        inner = path_chain(node.value)
        return (inner[0], inner[1] + 1) if inner else None
    if (
        isinstance(node, cst.Subscript)
        and isinstance(node.value, cst.Attribute)
        and node.value.attr.value == "parents"
        and len(node.slice) == 1
        and isinstance(node.slice[0].slice, cst.Index)
        and isinstance(node.slice[0].slice.value, cst.Integer)
    ):
        levels = int(node.slice[0].slice.value.value) + 1
        if _path_base(node.value.value):
            return node.value.value, levels
        inner = path_chain(node.value.value)
        return (inner[0], inner[1] + levels) if inner else None
    return None


def os_chain(node: cst.BaseExpression) -> tuple[cst.BaseExpression, str, int] | None:
    """(innermost ``__file__`` argument, the ``dirname`` function's code, levels) of
    ``os.path.dirname(...)`` nested around ``__file__`` or ``os.path.abspath(__file__)``."""
    if not isinstance(node, cst.Call) or len(node.args) != 1:
        return None
    name = dotted(node.func) or ""
    if name.split(".")[-1] != "dirname":
        return None
    argument = node.args[0].value
    if _is_file_name(argument):
        return argument, name, 1
    if (
        isinstance(argument, cst.Call)
        and len(argument.args) == 1
        and (dotted(argument.func) or "").split(".")[-1] in OS_WRAPPERS
        and _is_file_name(argument.args[0].value)
    ):
        return argument, name, 1
    inner = os_chain(argument)
    return (inner[0], inner[1], inner[2] + 1) if inner else None
