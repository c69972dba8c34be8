"""Writes of TA302 module-attribute-assignment: assignments of attributes of imported
names, changes through the methods of shared objects and cached getters (`_mutations`),
and the messages that describe them."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from auditor.api import FileView, FunctionView, Scope

from ._classes import shared_through_instance
from ._common import restore_hint, where
from ._mutations import (
    OBJECT_ADDS,
    cached_call,
    is_cache_fill,
    is_mutation,
    mutation,
    patched_object,
)
from ._patchers import monkeypatched, patch_function
from ._writes import Context, Role, Write

KIND = "attribute"
OTHER_RULES = ("os.environ", "sys.path")
"""Attributes other rules report (TA301, TA306); TA304 covers APP_STATE, TA306 logging."""
OTHER_PREFIXES = ("logging.",)
RESET_BY_PYTEST = frozenset({"sys.stdout", "sys.stderr", "sys.stdin"})
"""pytest's capture puts the standard streams back after every test."""
CONTEXT_LOCALS = frozenset(
    {
        f"{package}.{name}"
        for package in ("flask", "flask.globals", "quart", "quart.globals")
        for name in ("g", "session", "request", "current_app", "websocket")
    }
)
"""Proxies to per-request / per-app-context objects: their attributes are not global."""
APP_STATE = frozenset({"dependency_overrides", "user_middleware", "middleware_stack"})
CLASS_LEVEL = "class-level:"
"""The prefix of the key of an attribute set on an object a class keeps at class level."""
FACTORY_SESSION = frozenset({"sqlalchemy_session", "sqlalchemy_session_factory"})


def _base(node: ast.AST) -> ast.Name | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node if isinstance(node, ast.Name) else None


def _global_attribute(node: ast.AST, ctx: Context) -> str | None:
    """The qualified name of ``imported.attr[.attr]`` (None for other targets)."""
    if not isinstance(node, ast.Attribute):
        return None
    base = _base(node)
    if base is None or not ctx.is_global(base.id):
        return None
    key = ctx.file.qualified(node)
    if key is None or _ignored(key, ctx.file.qualified(node.value) or ""):
        return None
    return key


def _ignored(key: str, owner: str) -> bool:
    return (
        key in OTHER_RULES
        or key in RESET_BY_PYTEST
        or key.startswith(OTHER_PREFIXES)
        or key.rsplit(".", 1)[-1] in APP_STATE
        or owner in CONTEXT_LOCALS
    )


def _class_level_key(target: ast.AST, ctx: Context) -> str | None:
    """``class-level:<module.Class>.SHARED.attr:<path>:<line>`` for an attribute set on
    an object a project class keeps at class level (`shared_through_instance`)."""
    level = shared_through_instance(target, ctx.file, ctx.function)
    if level is None or not isinstance(target, ast.Attribute):
        return None
    shared = target.value
    assert isinstance(shared, ast.Attribute)
    return f"{CLASS_LEVEL}{level.owner}.{shared.attr}.{target.attr}:{level.path}:{level.line}"


def classify(node: ast.AST, ctx: Context) -> Iterator[Write]:
    """Assignments (and ``setattr``/``delattr``/``del``) of attributes of imported names;
    ``mock.patch``/``patch.object`` of them as restoring contexts."""

    def reads(n: ast.AST) -> bool:
        return _global_attribute(n, ctx) is not None or (
            isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "getattr"
        )

    if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
        targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
        value = None if isinstance(node, (ast.Delete, ast.AugAssign)) else node.value
        role: Role = "restore" if ctx.uses_saved(value, reads, "attribute") else "change"
        for target in targets:
            key = _global_attribute(target, ctx) or _class_level_key(target, ctx)
            if key is not None:
                yield Write(node, KIND, key, role, ast.unparse(target))
        return
    if not isinstance(node, ast.Call):
        return
    for found in (mutation(node, ctx), cached_call(node, ctx), patched_object(node, ctx)):
        if found is not None:
            yield found
            return
    func = node.func
    if (
        isinstance(func, ast.Name)
        and func.id in ("setattr", "delattr")
        and func.id not in ctx.local_names
    ):
        if len(node.args) >= 2 and isinstance(node.args[1], ast.Constant):
            owner, attr = node.args[0], node.args[1].value
            base = _base(owner)
            if isinstance(attr, str) and base is not None and ctx.is_global(base.id):
                owner_name = ctx.file.qualified(owner) or ""
                key = f"{owner_name}.{attr}"
                if not _ignored(key, owner_name):
                    value = node.args[2] if len(node.args) > 2 else None
                    saved = ctx.uses_saved(value, reads, "attribute")
                    text = f"{ast.unparse(owner)}.{attr}"
                    yield Write(node, KIND, key, "restore" if saved else "change", text)
        return
    undone = monkeypatched(node, ctx.file)
    if undone is not None:
        if undone[0] == KIND and undone[1] is not None:
            yield Write(node, KIND, undone[1], "guard")
        return
    patcher = patch_function(ctx.file, node)
    if not patcher or not node.args:
        return
    first = node.args[0]
    if patcher == "patch" and isinstance(first, ast.Constant) and isinstance(first.value, str):
        yield Write(node, KIND, first.value, "context")
    elif patcher == "patch.object" and len(node.args) > 1:
        name = node.args[1]
        patched = ctx.file.qualified(first)
        if patched and isinstance(name, ast.Constant) and isinstance(name.value, str):
            yield Write(node, KIND, f"{patched}.{name.value}", "context")
    elif patcher == "patch.multiple":
        patched = (
            first.value
            if isinstance(first, ast.Constant) and isinstance(first.value, str)
            else ctx.file.qualified(first)
        )
        for keyword in node.keywords:
            if patched and keyword.arg:
                yield Write(node, KIND, f"{patched}.{keyword.arg}", "context")


def may_assign(file: FileView) -> bool:
    """A cheap look at the text: does any imported name get an attribute assigned
    (``name.attr = ``, ``name.a.b += ``), or is there a ``setattr``/``delattr``/``del``?"""
    text = file.text
    if "setattr(" in text or "delattr(" in text or "cache_clear" in text:
        return True
    if "environ" in text or "setenv" in text:
        return True
    if any(f".{method}(" in text for method in OBJECT_ADDS):
        return True
    if re.search(r"(?<![\w.])\w+\.\w+\.\w+\s*=(?!=)", text):
        return True  # an attribute of an object an instance holds (`_classes`)
    names = "|".join(re.escape(name) for name in file.imports)
    if not names:
        return False
    assign = rf"(?<![\w.])(?:{names})(?:\.\w+)+\s*(?:[-+*/%&|^@]|//|\*\*|<<|>>)?=(?!=)"
    delete = rf"\bdel\s+(?:{names})\."
    return re.search(f"{assign}|{delete}", file.text) is not None


CLEANUP_CALLS = frozenset(
    {"close", "dispose", "clear", "reset", "remove", "rollback", "stop", "drop_all", "shutdown"}
)


def _cleanup_statement(statement: ast.stmt) -> bool:
    """``x.attr = None`` or a call such as ``session.close()``."""
    if isinstance(statement, ast.Assign):
        return isinstance(statement.value, ast.Constant) and statement.value.value is None
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        func = statement.value.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return name in CLEANUP_CALLS
    return False


def trailing_cleanup(view: FunctionView, write: Write) -> bool:
    """A test's own cleanup lines: the write sets the attribute to None among the last
    statements of the test, all of them cleanup (``None`` assignments, ``close()``,
    ``dispose()``...), after the test's work. It unbinds what the test bound; it does
    not change the state for later tests."""
    body = view.node.body
    index = next((i for i, s in enumerate(body) if s is write.node), None)
    if index is None or index == 0 or not _cleanup_statement(body[index]):
        return False
    return all(_cleanup_statement(s) for s in body[index:])


def autouse_emptying(view: FunctionView, write: Write) -> bool:
    """A function-scoped autouse fixture that sets the attribute to a new empty
    container (``caches._caches = {}``): the reset every test in its reach starts from,
    not a change one test leaves to the next."""
    definition = view.fixture
    node = write.node
    return (
        view.kind == "fixture"
        and definition is not None
        and definition.autouse
        and definition.scope is Scope.FUNCTION
        and isinstance(node, ast.Assign)
        and _empty_container(node.value)
    )


def _empty_container(value: ast.expr) -> bool:
    if isinstance(value, (ast.Dict, ast.List, ast.Set)):
        return not (value.keys if isinstance(value, ast.Dict) else value.elts)
    return (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id in ("dict", "list", "set")
        and not value.args
        and not value.keywords
    )


def message(view: FunctionView, write: Write) -> str:
    if is_cache_fill(write):
        getter = write.text.removesuffix("()")
        return (
            f"{where(view)} calls the cached `{write.text}` after patching the environment "
            "and never clears its cache: the value computed from the patched environment "
            "stays cached after the patch is undone, and every later test gets it; call "
            f"`{getter}.cache_clear()` at teardown (after `yield`, or with "
            f"`request.addfinalizer({getter}.cache_clear)`)"
        )
    if is_mutation(write):
        receiver = write.text.removesuffix("()").rpartition(".")[0]
        when = restore_hint(view) if view.kind != "test" else "undo it in a `finally`"
        return (
            f"{where(view)} changes the shared `{receiver}` through `{write.text}` and never "
            f"undoes it: `{receiver}` is module-level state every test of the session sees, "
            f"so later tests find what this one left; {when}, or give each test its own "
            "object (a fixture, or `monkeypatch.setattr(module, name, fresh)`)"
        )
    owner, _, attr = write.text.rpartition(".")
    if write.key is not None and write.key.startswith(CLASS_LEVEL):
        return _class_level_message(view, write, owner, attr)
    if attr in FACTORY_SESSION:
        return (
            f"{where(view)} rebinds `{write.text}` to its own session and never restores "
            "it: the factory keeps the last test's session (closed or rolled back) for "
            "every later use; bind it once in a session-scoped fixture, or give the "
            "factory a `sqlalchemy_session_factory`"
        )
    if view.kind == "test":
        instead = f'use `monkeypatch.setattr({owner}, "{attr}", ...)`'
    else:
        instead = f'{restore_hint(view)}, or use `monkeypatch.setattr({owner}, "{attr}", ...)`'
    return (
        f"{where(view)} assigns `{write.text}` on the imported `{owner.split('.')[0]}` and "
        f"never restores it: every later test sees the new value; {instead}"
    )


def _class_level_message(view: FunctionView, write: Write, owner: str, attr: str) -> str:
    assert write.key is not None
    name, path, line = write.key.removeprefix(CLASS_LEVEL).rsplit(":", 2)
    cls = name.rsplit(".", 3)[-3]
    when = restore_hint(view) if view.kind != "test" else "put the old value back in a `finally`"
    return (
        f"{where(view)} sets `{write.text}`, but `{owner}` is not the instance's own: "
        f"`{cls}` keeps it at class level ({path}:{line}), one object shared by every "
        f"instance of `{cls}` and of its subclasses, so every later test sees the new "
        f'value; {when}, or use `monkeypatch.setattr({owner}, "{attr}", ...)`'
    )
