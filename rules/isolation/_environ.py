"""What writes ``os.environ`` (TA301), shared with the fix's eligibility check."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ._patchers import monkeypatched, patch_function
from ._writes import Context, Role, Write, literal_key

KIND = "environ"
WRITE_METHODS = frozenset({"pop", "setdefault", "update", "clear", "popitem"})
KEYED_METHODS = frozenset({"pop", "setdefault"})


def is_environ(node: ast.AST, ctx: Context) -> bool:
    if isinstance(node, ast.Name) and node.id in ctx.local_names:
        return False
    return ctx.file.qualified(node) == "os.environ"


def _short(node: ast.AST) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 60 else text[:57] + "..."


def classify(node: ast.AST, ctx: Context) -> Iterator[Write]:
    """Writes to ``os.environ`` (and ``os.putenv``/``os.unsetenv``); ``mock.patch.dict``
    of it as a restoring context. Writes of values saved from the environment earlier
    (``os.environ["A"] = old``, ``os.environ.update(saved)``) are restores."""

    def reads(n: ast.AST) -> bool:
        return is_environ(n, ctx)

    if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
        targets: list[ast.expr] = (
            list(node.targets) if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
        )
        value = None if isinstance(node, (ast.Delete, ast.AugAssign)) else node.value
        role: Role = "restore" if ctx.uses_saved(value, reads, "environ") else "change"
        removal = isinstance(node, ast.Delete)
        for target in _flatten(targets):
            if isinstance(target, ast.Subscript) and is_environ(target.value, ctx):
                key = literal_key(target.slice)
                yield Write(node, KIND, key, role, _short(target), removal)
            elif is_environ(target, ctx):
                yield Write(node, KIND, None, role, _short(target), removal)
    elif isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in WRITE_METHODS:
            if is_environ(func.value, ctx):
                key_node = node.args[0] if func.attr in KEYED_METHODS and node.args else None
                saved = func.attr in ("update", "setdefault") and any(
                    ctx.uses_saved(a, reads, "environ") for a in node.args[-1:]
                )
                yield Write(
                    node,
                    KIND,
                    literal_key(key_node),
                    "restore" if saved else "change",
                    f"{_short(func)}()",
                    func.attr == "pop",
                )
            return
        name = ctx.file.qualified(func)
        if name in ("os.putenv", "os.unsetenv"):
            first_arg = node.args[0] if node.args else None
            text = f"{_short(func)}()"
            removal = name == "os.unsetenv"
            yield Write(node, KIND, literal_key(first_arg), text=text, removal=removal)
            return
        patched = monkeypatched(node, ctx.file)
        if patched is not None:
            kind, key = patched
            if kind == KIND:
                yield Write(node, KIND, key, "guard")
            elif key == "os.environ":
                yield Write(node, KIND, None, "guard")
            return
        patcher = patch_function(ctx.file, node)
        if patcher and node.args:
            first = node.args[0]
            named = isinstance(first, ast.Constant) and first.value == "os.environ"
            second = node.args[1] if len(node.args) > 1 else None
            if (
                (patcher == "patch.dict" and (named or is_environ(first, ctx)))
                or (patcher == "patch" and named)
                or (
                    patcher == "patch.object"
                    and ctx.file.qualified(first) == "os"
                    and isinstance(second, ast.Constant)
                    and second.value == "environ"
                )
            ):
                yield Write(node, KIND, None, "context")


def _flatten(targets: list[ast.expr]) -> Iterator[ast.expr]:
    for target in targets:
        if isinstance(target, (ast.Tuple, ast.List)):
            yield from _flatten(list(target.elts))
        else:
            yield target


def rewritable(write: Write, ctx: Context) -> bool:
    """Whether UseMonkeypatchEnv rewrites this write: ``os.environ[k] = v``,
    ``del os.environ[k]`` and ``os.environ.pop(k[, d])`` as a statement."""
    node = write.node
    if isinstance(node, ast.Assign):
        target = node.targets[0]
        return (
            len(node.targets) == 1
            and isinstance(target, ast.Subscript)
            and not isinstance(target.slice, (ast.Slice, ast.Tuple))
            and is_environ(target.value, ctx)
        )
    if isinstance(node, ast.Delete):
        target = node.targets[0]
        return (
            len(node.targets) == 1
            and isinstance(target, ast.Subscript)
            and not isinstance(target.slice, (ast.Slice, ast.Tuple))
            and is_environ(target.value, ctx)
        )
    return False


def rewritable_pop(node: ast.AST, ctx: Context) -> bool:
    """``os.environ.pop(k[, d])`` used as a statement."""
    if not isinstance(node, ast.Expr) or not isinstance(node.value, ast.Call):
        return False
    call = node.value
    return (
        isinstance(call.func, ast.Attribute)
        and call.func.attr == "pop"
        and is_environ(call.func.value, ctx)
        and 1 <= len(call.args) <= 2
        and not any(isinstance(a, ast.Starred) for a in call.args)
        and not call.keywords
    )
