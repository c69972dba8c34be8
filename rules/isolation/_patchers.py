"""Recognising the calls that patch state for a while: ``unittest.mock`` patchers and
the methods of pytest's ``monkeypatch`` fixture."""

from __future__ import annotations

import ast

from auditor.api import FileView

from ._writes import literal_key

PATCH_PREFIXES = ("unittest.mock.patch", "mock.patch")


def patch_function(file: FileView, call: ast.AST) -> str:
    """The kind of patcher, "patch", "patch.object", "patch.dict", "patch.multiple" for a call of
    unittest.mock / mock patchers, "" otherwise."""
    if not isinstance(call, ast.Call):
        return ""
    name = file.qualified(call.func) or ""
    for prefix in PATCH_PREFIXES:
        if name == prefix:
            return "patch"
        if name.startswith(prefix + ".") and name.count(".") == prefix.count(".") + 1:
            return "patch." + name.rsplit(".", 1)[1]
    return ""


MONKEYPATCH_METHODS = frozenset({"setattr", "delattr", "setenv", "delenv", "setitem", "delitem"})


def monkeypatched(node: ast.AST, file: FileView) -> tuple[str, str | None] | None:
    """What a ``monkeypatch.<method>(...)`` call puts back at teardown: ("environ", key)
    for setenv/delenv/setitem(os.environ, ...), ("attribute", "a.b.name") for
    setattr/delattr; None for other calls."""
    if not (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in MONKEYPATCH_METHODS
        and node.args
        and file.qualified(node.func.value) not in ("os", "os.environ")
    ):
        return None
    method, args = node.func.attr, node.args
    if method in ("setenv", "delenv"):
        return "environ", literal_key(args[0])
    if method in ("setitem", "delitem"):
        if file.qualified(args[0]) == "os.environ" and len(args) > 1:
            return "environ", literal_key(args[1])
        return None
    first = args[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        if "." in first.value and (method == "delattr" or len(args) == 2):
            return "attribute", first.value
        return None
    second = args[1] if len(args) > 1 else None
    owner = file.qualified(first)
    if owner and isinstance(second, ast.Constant) and isinstance(second.value, str):
        return "attribute", f"{owner}.{second.value}"
    return None


def monkeypatched_item(node: ast.AST, file: FileView) -> str | None:
    """The qualified name of the mapping a ``monkeypatch.setitem`` / ``delitem`` call
    changes (``sys.modules``), which monkeypatch puts back at teardown."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("setitem", "delitem")
        and node.args
    ):
        return file.qualified(node.args[0])
    return None
