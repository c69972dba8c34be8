"""Switches of an imported module or object, for TA306 process-state-change.

A *switch* is a call on an imported module or object that turns something on for the
whole process and has a counterpart that turns it off: ``requests_cache.install_cache()``
and ``uninstall_cache()``, ``faulthandler.enable()`` and ``disable()``,
``atexit.register(f)`` and ``unregister(f)``, ``signals.saved.connect(f)`` and
``disconnect(f)``, ``push_connection(c)`` and ``pop_connection()``. The names pair by
their verb (``install``/``uninstall``, ``start_workers``/``stop_workers``, in camelCase
too: ``registerFactory``/``unregisterFactory``): the rest of
the name and the module or object the call is made on must be the same.

A call is only a switch when the file also calls its counterpart somewhere: the suite
itself then shows that the call changes something that has to be undone. For a listener
kept alive (a function of the module, or one the test defines given with
``weak=False``), the counterpart on another object of the same module counts too:
``signals.cache_read.disconnect(...)`` shows that ``signals.cache_invalidated.connect(f,
weak=False)`` must be undone. Without that,
``client.connect()`` or ``loader.load()`` say nothing about process-wide state. Calls
on names the function binds itself (a local object, a parameter) are never switches,
nor are calls given such an object (``register(worker)``, ``suspend(self.connection)``
change that object's state, or its server's, not the process's); a function the test
defines (``atexit.register(cleanup)``) is no such object. A counterpart undoes its switch
whatever it is given: ``signals.saved.disconnect(self.Author.on_save)`` in ``tearDown``
turns off what ``setUp`` turned on with the class it defined there. ``clear`` and ``reset`` with
the same ending (``clear_contextvars()`` for ``bind_contextvars()``) turn a switch off
too, and so does a function-scoped autouse fixture that calls one of them before or
after its ``yield`` (`reset_by_autouse`): every test then starts with it off. Context
variables bound in an ``async def`` test (``bind_contextvars()``) stay in that test's own
task and context, and do not reach the next test.
"""

from __future__ import annotations

import ast
import re
import weakref

from auditor.api import FileView, SuiteView, walk_local

from ._writes import Context, Role, Write, autouse_calls, covers

KIND = "switch"
UNDO = {
    "install": "uninstall",
    "enable": "disable",
    "register": "unregister",
    "activate": "deactivate",
    "attach": "detach",
    "subscribe": "unsubscribe",
    "connect": "disconnect",
    "patch": "unpatch",
    "mount": "unmount",
    "bind": "unbind",
    "load": "unload",
    "suspend": "resume",
    "start": "stop",
    "push": "pop",
}
"""A verb that turns something on, and the verb of its counterpart."""
DO = {undo: do for do, undo in UNDO.items()}
DO["deregister"] = "register"
RESETS = frozenset({"clear", "reset"})
VERB = re.compile(r"^(?P<verb>[a-z]+)(?P<rest>_\w+|[A-Z]\w*)?$")
"""A snake_case or camelCase name: its verb and the rest (``install`` and ``_cache``,
``register`` and ``ConnectionFactory``)."""
_CALLED: weakref.WeakKeyDictionary[ast.Module, frozenset[str]] = weakref.WeakKeyDictionary()
_AUTOUSE: weakref.WeakKeyDictionary[SuiteView, dict[str, list[str]]] = weakref.WeakKeyDictionary()


def _split(qualified: str) -> tuple[str, str, str] | None:
    """(owner, verb, rest) of ``owner.verb_rest``: ``requests_cache``, ``install``,
    ``_cache`` for ``requests_cache.install_cache``."""
    owner, _, name = qualified.rpartition(".")
    match = VERB.match(name)
    if not owner or match is None:
        return None
    return owner, match["verb"], match["rest"] or ""


def _called(file: FileView) -> frozenset[str]:
    """The qualified names of every function the file calls (cached per tree)."""
    found = _CALLED.get(file.tree)
    if found is None:
        names = (file.resolved(n.func) for n in ast.walk(file.tree) if isinstance(n, ast.Call))
        found = _CALLED[file.tree] = frozenset(n for n in names if n)
    return found


def _imported(name: str, ctx: Context) -> bool:
    """Whether `name` here is the file's import of that name, absolute or relative."""
    return ctx.is_global(name) or (
        name in ctx.file.relative_imports and name not in ctx.local_names
    )


def _global_owner(func: ast.Attribute, ctx: Context) -> bool:
    """Whether the call is made on an imported module or object (not a local)."""
    base: ast.expr = func
    while isinstance(base, ast.Attribute):
        base = base.value
    return isinstance(base, ast.Name) and ctx.is_global(base.id)


def _local_objects(ctx: Context) -> frozenset[str]:
    """The names the function binds to objects (parameters, assignments), not to the
    functions it defines."""
    found = ctx.cache.get("local objects")
    if found is None:
        defined: set[str] = set()
        if ctx.function is not None:
            defined = {
                n.name
                for n in walk_local(ctx.function)
                if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            }
        found = ctx.cache["local objects"] = ctx.local_names - defined
    return found


def _given_an_object(node: ast.Call, ctx: Context) -> bool:
    """Whether the call gets a local object or an attribute of ``self``/``cls``."""
    objects = _local_objects(ctx)
    for argument in (*node.args, *(k.value for k in node.keywords)):
        base = argument
        while isinstance(base, ast.Attribute):
            base = base.value
        if isinstance(base, ast.Name) and (
            base.id in objects or (base is not argument and base.id in ("self", "cls"))
        ):
            return True
    return False


LISTENER_VERBS = frozenset({"connect", "subscribe", "register", "attach"})


def _kept_listener(node: ast.Call, verb: str, ctx: Context) -> bool:
    """Whether the call hooks a function up to stay: the function is the module's own,
    or one the test defines handed over with ``weak=False`` (a weakly held local
    function goes with the test)."""
    if verb not in LISTENER_VERBS or not node.args or not isinstance(node.args[0], ast.Name):
        return False
    name = node.args[0].id
    local = ctx.function is not None and any(
        isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name
        for n in walk_local(ctx.function)
    )
    if local:
        return any(
            k.arg == "weak" and isinstance(k.value, ast.Constant) and k.value.value is False
            for k in node.keywords
        )
    return isinstance(ctx.file.top_level(name), (ast.FunctionDef, ast.AsyncFunctionDef))


def _sibling_undone(owner: str, undo: str, ctx: Context) -> bool:
    """Whether the file undoes the same switch of another object of the same module
    (``signals.cache_read.disconnect(...)`` for ``signals.cache_invalidated.connect(f)``):
    the suite shows the module's listeners have to be taken off again."""
    module, _, _ = owner.rpartition(".")
    if not module:
        return False
    return any(
        name.rpartition(".")[2] == undo and name.rpartition(".")[0].rpartition(".")[0] == module
        for name in _called(ctx.file)
    )


def switch(node: ast.Call, ctx: Context) -> Write | None:
    """The switch `node` turns on ("change") or off ("restore"), when the file calls its
    counterpart too."""
    func = node.func
    if isinstance(func, ast.Name):
        if not _imported(func.id, ctx):
            return None
    elif not isinstance(func, ast.Attribute) or not _global_owner(func, ctx):
        return None
    qualified = ctx.file.resolved(func)
    parts = _split(qualified) if qualified else None
    if parts is None:
        return None
    owner, verb, rest = parts
    if "contextvar" in f"{owner}{rest}".lower() and isinstance(ctx.function, ast.AsyncFunctionDef):
        return None  # an async test runs in a task of its own, on a copy of the context
    role: Role
    if verb in UNDO:
        role = "change"
        undo = (f"{owner}.{UNDO[verb]}{rest}", *(f"{owner}.{r}{rest}" for r in RESETS))
        if not any(name in _called(ctx.file) for name in undo) and not (
            _kept_listener(node, verb, ctx) and _sibling_undone(owner, f"{UNDO[verb]}{rest}", ctx)
        ):
            return None
    elif verb in DO or verb in RESETS:
        role = "restore"  # a restore alone is never reported: it needs no evidence
    else:
        return None
    if role == "change" and _given_an_object(node, ctx):
        return None  # an object's own state; an undo is an undo whatever it is given
    return Write(node, KIND, f"{owner}:{rest}", role, f"{ast.unparse(func)}()")


def reset_by_autouse(suite: SuiteView, key: str | None, path: str) -> bool:
    """Whether a function-scoped autouse fixture of `path` (of the file, or of a
    conftest.py whose folder holds it) turns switch `key` off, before or after its
    ``yield``: every test there starts with it off, whatever the one before left."""
    resets = _AUTOUSE.get(suite)
    if resets is None:
        resets = _AUTOUSE[suite] = _autouse_resets(suite)
    return covers(resets.get(key or "", ()), path)


def _autouse_resets(suite: SuiteView) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for where, ctx, node in autouse_calls(suite):
        write = switch(node, ctx)
        if write is not None and write.role == "restore" and write.key is not None:
            found.setdefault(write.key, []).append(where)
    return found


def counterpart(write: Write) -> str:
    """The call that undoes a switch: ``uninstall_cache()`` for ``install_cache()``."""
    head, _, name = write.text.rpartition(".")
    match = VERB.match(name.removesuffix("()"))
    if match is None or match["verb"] not in UNDO:
        return "its counterpart"
    undo = f"{UNDO[match['verb']]}{match['rest'] or ''}()"
    return f"{head}.{undo}" if head else undo
