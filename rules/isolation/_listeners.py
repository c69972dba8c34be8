"""Listeners registered at import time of a test module through a function of the
project (``force_instant_defaults()`` at the top of a test module, whose body calls
``sa.event.listen(sa.orm.Mapper, "init", ...)``), for TA306 process-state-change."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from auditor.api import FileView, walk_local

from ._mutations import split_module
from ._writes import Context, Write, literal_key

EVENTS = "sqlalchemy.event"
LISTEN = frozenset(
    {
        "sqlalchemy.event.listen",
        "sqlalchemy.event.api.listen",
        "sqlalchemy.event.listens_for",
        "sqlalchemy.event.api.listens_for",
    }
)


def _registers(module: FileView, function: ast.AST) -> bool:
    """Whether the function's own code registers an SQLAlchemy event listener."""
    for node in walk_local(function):
        if isinstance(node, ast.Call) and module.qualified(node.func) in LISTEN:
            return True
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
            module.qualified(d.func if isinstance(d, ast.Call) else d) in LISTEN
            for d in node.decorator_list
        ):
            return True
    return False


def project_listener(call: ast.Call, ctx: Context) -> Write | None:
    """A module-level call of an imported function of the project that registers a
    listener (on whatever target: at import time, the target is module-level too)."""
    if ctx.function is not None or not isinstance(call.func, (ast.Name, ast.Attribute)):
        return None
    base: ast.expr = call.func
    while isinstance(base, ast.Attribute):
        base = base.value
    if not isinstance(base, ast.Name) or not ctx.is_global(base.id):
        return None
    qualified = ctx.file.qualified(call.func)
    split = split_module(ctx.file.suite, qualified) if qualified else None
    if split is None or len(split[1]) != 1:
        return None
    module, (name,) = split
    definition = module.top_level(name)
    if not isinstance(definition, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    if not _registers(module, definition):
        return None
    return Write(call, EVENTS, f"{qualified}()", "change", f"{ast.unparse(call.func)}()")


def calls_imported(file: FileView) -> Iterator[ast.Call]:
    """Module-level call statements of imported functions (a cheap look before the
    module is classified)."""
    for node in file.tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            func = node.value.func
            while isinstance(func, ast.Attribute):
                func = func.value
            if isinstance(func, ast.Name) and func.id in file.imports:
                yield node.value


def listener(call: ast.Call, ctx: Context, fn: ast.AST | None = None) -> Write | None:
    """``event.listen(Target, "name", fn)`` (or ``@event.listens_for(Target, "name")`` on
    `fn`) for an imported target (a class or a module-level object): the listener stays
    on it for the rest of the session. Targets made in the test are not shared."""
    args = [*call.args, *(k.value for k in call.keywords if k.arg in ("target", "identifier"))]
    if len(args) < 2:
        return None
    target = args[0]
    base = target
    while isinstance(base, ast.Attribute):
        base = base.value
    if not (isinstance(base, ast.Name) and ctx.is_global(base.id)):
        return None
    fn_node = fn if fn is not None else (args[2] if len(args) > 2 else None)
    fn_text = fn_node.name if isinstance(fn_node, ast.FunctionDef) else None
    if fn_text is None:
        fn_text = ast.unparse(fn_node) if isinstance(fn_node, ast.AST) else "?"
    key = f"{ast.unparse(target)}|{literal_key(args[1])}|{fn_text}"
    text = f"event.listen({ast.unparse(target)}, {ast.unparse(args[1])}, {fn_text})"
    return Write(call, EVENTS, key, "change", text)
