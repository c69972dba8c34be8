"""Shared objects changed through their methods, and cached getters filled under a
patched environment, for TA302 module-attribute-assignment.

A *shared object* is one every test of the session sees: a module-level object of a
project module imported into the file (``from app.registry import plugins``), or one the
file itself binds at module level and other functions of the file use. Only objects whose
state we can see are followed: a container (``{}``, ``[]``, ``set()``, ``defaultdict(...)``)
or an instance of a class of the project (``plugins = Registry()``, with ``Registry``
read from the project's source), never an instance of an installed library's class (an
engine, a session, an HTTP client), whose methods need not change anything.

A *mutation* is a call statement of one of these on the object (``plugins.add(x)``,
``store.put(k, v)``; for an instance of a project class, a method of that class that
assigns or changes an attribute of ``self``), or of a container method on a container
attribute the class sets in its own code (``app.handlers.append(f)`` where ``App``
sets ``self.handlers = []``). The methods that take entries out (``remove``, ``discard``,
``pop``, ``clear``, ``unregister``...) restore it.

A *cached getter* is a function of the project decorated with ``functools.lru_cache`` or
``functools.cache``. Calling it after the function patched the environment
(``monkeypatch.setenv``, ``os.environ[...] = ...``, ``mock.patch.dict(os.environ)``)
fills the cache with a value computed from the patched environment, which outlives the
patch; ``getter.cache_clear()`` restores it.
"""

from __future__ import annotations

import ast
import re
import weakref
from collections.abc import Iterator

from auditor.api import FileView, SuiteView, walk_local

from ._patchers import monkeypatched, patch_function
from ._writes import Context, Role, Write, autouse_calls, covers

KIND = "attribute"
CONTAINER_ADDS = frozenset(
    {"append", "extend", "insert", "add", "update", "setdefault", "appendleft", "extendleft"}
)
OBJECT_ADDS = frozenset({*CONTAINER_ADDS, "put", "register", "push", "subscribe", "set"})
REMOVES = frozenset(
    {
        "remove",
        "discard",
        "pop",
        "popitem",
        "popleft",
        "clear",
        "unregister",
        "deregister",
        "unsubscribe",
        "delete",
        "reset",
    }
)
CONTAINER_CALLS = frozenset(
    {
        "dict",
        "list",
        "set",
        "defaultdict",
        "OrderedDict",
        "deque",
        "Counter",
        "ChainMap",
        "WeakSet",
        "WeakValueDictionary",
        "WeakKeyDictionary",
    }
)
CONTAINERS = (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)
CACHE_DECORATORS = frozenset({"lru_cache", "cache"})
CAMEL = re.compile(r"^_?[A-Z]\w*[a-z]\w*$")

RESETS = frozenset({"clear", "reset"})
_RESETS: weakref.WeakKeyDictionary[SuiteView, dict[str, list[str]]] = weakref.WeakKeyDictionary()


# -- the project's source --------------------------------------------------------------


def split_module(suite: SuiteView, qualified: str) -> tuple[FileView, list[str]] | None:
    """The project module a dotted name starts with and the names after it."""
    return _split(suite, qualified)


def _split(suite: SuiteView, qualified: str) -> tuple[FileView, list[str]] | None:
    """The project module a dotted name starts with (the longest that is a file) and the
    names after it."""
    parts = qualified.split(".")
    for end in range(len(parts) - 1, 0, -1):
        module = suite.project_module(".".join(parts[:end]))
        if module is not None:
            return module, parts[end:]
    return None


def _imported_def(file: FileView, func: ast.expr) -> tuple[FileView, str, ast.stmt] | None:
    """The module-level statement of a project module that an imported name binds (the
    module's view, the qualified name and the statement), when `file` imports it."""
    qualified = file.qualified(func)
    if qualified is None or qualified == ast.unparse(func):
        return None
    split = _split(file.suite, qualified)
    if split is None or len(split[1]) != 1:
        return None
    module, (name,) = split
    node = module.top_level(name)
    return None if node is None else (module, qualified, node)


def _project_class(file: FileView, func: ast.expr) -> tuple[FileView, ast.ClassDef] | None:
    """The class a constructor call names, when the project defines it (in `file`, or in
    a project module `file` imports it from)."""
    if isinstance(func, ast.Name):
        node = file.top_level(func.id)
        if isinstance(node, ast.ClassDef):
            return file, node
    found = _imported_def(file, func)
    if found is None or not isinstance(found[2], ast.ClassDef):
        return None
    return found[0], found[2]


def _container(value: ast.AST | None) -> bool:
    if isinstance(value, CONTAINERS):
        return True
    if isinstance(value, ast.Call):
        func = value.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return name in CONTAINER_CALLS
    return False


def _self_stores(method: ast.AST) -> bool:
    """Whether a method changes an attribute of ``self``: assigns one, assigns an item
    of one, or calls a container method on one."""
    for node in walk_local(method):
        targets: list[ast.expr] = []
        if isinstance(node, (ast.Assign, ast.Delete)):
            targets = list(node.targets)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in CONTAINER_ADDS | REMOVES
        ):
            targets = [node.func.value]
        for target in targets:
            while isinstance(target, (ast.Subscript, ast.Attribute)):
                if (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == "self"
                ):
                    return True
                target = target.value
    return False


def _method(cls: ast.ClassDef, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    for node in cls.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return node
    return None


def _container_attribute(cls: ast.ClassDef, attr: str) -> bool:
    """Whether the class's own code sets ``self.<attr>`` to a container."""
    for node in ast.walk(cls):
        if isinstance(node, ast.Assign) and _container(node.value):
            for target in node.targets:
                if (
                    isinstance(target, ast.Attribute)
                    and target.attr == attr
                    and isinstance(target.value, ast.Name)
                    and target.value.id == "self"
                ):
                    return True
    return False


def _changes(file: FileView, value: ast.AST | None, attrs: list[str], method: str) -> bool:
    """Whether calling `method` on ``<value>.<attrs>`` changes the object `value` (the
    right side of a module-level assignment in `file`) holds."""
    if _container(value):
        return not attrs and method in CONTAINER_ADDS
    if not isinstance(value, ast.Call) or len(attrs) > 1:
        return False
    found = _project_class(file, value.func)
    if found is None:
        return False
    cls = found[1]
    if attrs:
        return method in CONTAINER_ADDS and _container_attribute(cls, attrs[0])
    if method not in OBJECT_ADDS:
        return False
    defined = _method(cls, method)
    return defined is not None and _self_stores(defined)


# -- shared objects ----------------------------------------------------------------


def _assigned(statement: ast.stmt | None) -> ast.expr | None:
    if isinstance(statement, (ast.Assign, ast.AnnAssign)):
        return statement.value
    return None


def _used_elsewhere(file: FileView, name: str, function: ast.AST | None) -> bool:
    """Whether a function of `file` other than `function` uses the name."""
    for node in file.nodes(ast.FunctionDef, ast.AsyncFunctionDef):
        if (
            isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node is not function
            and any(isinstance(n, ast.Name) and n.id == name for n in walk_local(node))
        ):
            return True
    return False


def _shared(
    owner: ast.expr, ctx: Context
) -> tuple[str, FileView, ast.expr | None, list[str]] | None:
    """(key, module, value, attributes) for a receiver ``obj[.attr...]`` on a shared
    object: its key for matching restores, the module binding it, the value bound, and
    the attributes after it."""
    chain: list[str] = []
    base = owner
    while isinstance(base, ast.Attribute):
        chain.insert(0, base.attr)
        base = base.value
    if not isinstance(base, ast.Name) or base.id in ctx.local_names:
        return None
    file = ctx.file
    if ctx.is_global(base.id):
        qualified = file.qualified(owner)
        split = _split(file.suite, qualified) if qualified else None
        if qualified is None or split is None:
            return None
        module, (name, *attrs) = split
        value = _assigned(module.top_level(name))
        return (qualified, module, value, attrs) if value is not None else None
    if ctx.function is None or base.id in file.imports:
        return None
    value = _assigned(file.top_level(base.id))
    if value is None or not _used_elsewhere(file, base.id, ctx.function):
        return None
    key = ".".join((f"<{file.path}>", base.id, *chain))
    return key, file, value, chain


def _statement_call(node: ast.Call, ctx: Context) -> bool:
    """A call whose result is thrown away: ``plugins.add(x)`` on a line of its own."""
    function = ctx.function if ctx.function is not None else ctx.file.tree
    for statement in walk_local(function):
        if isinstance(statement, ast.Expr):
            value = statement.value
            if value is node or (isinstance(value, ast.Await) and value.value is node):
                return True
    return False


def mutation(node: ast.Call, ctx: Context) -> Write | None:
    """A change (or a removal) through a method of a shared object."""
    func = node.func
    if not isinstance(func, ast.Attribute):
        return None
    method = func.attr
    role: Role
    if method in REMOVES:
        role = "restore"
    elif method in OBJECT_ADDS and (node.args or node.keywords):
        role = "change"
    else:
        return None
    shared = _shared(func.value, ctx)
    if shared is None:
        return None
    key, module, value, attrs = shared
    if role == "change" and not (
        _statement_call(node, ctx) and _changes(module, value, attrs, method)
    ):
        return None
    return Write(node, KIND, key, role, f"{ast.unparse(func)}()")


def patched_object(node: ast.Call, ctx: Context) -> Write | None:
    """``mock.patch.dict(shared, ...)``: puts the object back on exit."""
    if patch_function(ctx.file, node) != "patch.dict" or not node.args:
        return None
    first = node.args[0]
    shared = _shared(first, ctx) if isinstance(first, (ast.Name, ast.Attribute)) else None
    return Write(node, KIND, shared[0], "context") if shared is not None else None


# -- cached getters --------------------------------------------------------------------


def _cached(file: FileView, func: ast.expr) -> str | None:
    """The qualified name of a project function decorated with ``lru_cache``/``cache``."""
    found = _imported_def(file, func)
    if found is None:
        return None
    module, qualified, node = found
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        last = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
        origin = module.qualified(target) or ""
        if last in CACHE_DECORATORS and origin in (f"functools.{last}", last):
            return qualified
    return None


def _environ_patches(ctx: Context) -> Iterator[int]:
    """The lines where the function patches the environment."""
    if ctx.function is None:
        return
    file = ctx.file
    for node in walk_local(ctx.function):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Call):
            undone = monkeypatched(node, file)
            if undone is not None and undone[0] == "environ":
                yield line
                continue
            func = node.func
            if isinstance(func, ast.Attribute) and file.qualified(func.value) == "os.environ":
                if func.attr in ("update", "setdefault", "pop", "clear"):
                    yield line
            elif file.qualified(func) in ("os.putenv", "os.unsetenv"):
                yield line
            elif patch_function(file, node) == "patch.dict" and node.args:
                first = node.args[0]
                if file.qualified(first) == "os.environ" or (
                    isinstance(first, ast.Constant) and first.value == "os.environ"
                ):
                    yield line
        elif isinstance(node, (ast.Assign, ast.Delete)):
            for target in node.targets:
                if isinstance(target, ast.Subscript) and file.qualified(target.value) == (
                    "os.environ"
                ):
                    yield line


def cached_call(node: ast.Call, ctx: Context) -> Write | None:
    """A call of a cached getter after the environment was patched (a change), or its
    ``cache_clear()`` (a restore)."""
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr == "cache_clear":
        key = _cached(ctx.file, func.value)
        return Write(node, KIND, key, "restore") if key is not None else None
    if ctx.function is None or not isinstance(func, (ast.Name, ast.Attribute)):
        return None
    base: ast.expr = func
    while isinstance(base, ast.Attribute):
        base = base.value
    if not isinstance(base, ast.Name) or not ctx.is_global(base.id):
        return None
    lines = ctx.cache.get("environ patched")
    if lines is None:
        lines = ctx.cache["environ patched"] = frozenset(map(str, _environ_patches(ctx)))
    if not any(int(line) <= node.lineno for line in lines):
        return None
    key = _cached(ctx.file, func)
    if key is None:
        return None
    return Write(node, KIND, key, "change", f"{ast.unparse(func)}()")


def is_cache_fill(write: Write) -> bool:
    """Whether a TA302 change is a cached getter's call (not a mutation)."""
    node = write.node
    return (
        isinstance(node, ast.Call)
        and write.text == f"{ast.unparse(node.func)}()"
        and (not isinstance(node.func, ast.Attribute) or node.func.attr not in OBJECT_ADDS)
    )


def is_mutation(write: Write) -> bool:
    node = write.node
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in OBJECT_ADDS
        and write.text == f"{ast.unparse(node.func)}()"
    )


# -- resets at setup -------------------------------------------------------------------


def reset_at_setup(suite: SuiteView, key: str, path: str) -> bool:
    """Whether a function-scoped autouse fixture empties the shared object or the cache
    `key` (``clear()``, ``cache_clear()``, before or after its ``yield``) for every test
    of `path`: one of the file itself, or of a conftest.py whose folder holds it. Each
    test then starts from an empty object, whatever the one before it left."""
    resets = _RESETS.get(suite)
    if resets is None:
        resets = _RESETS[suite] = _autouse_resets(suite)
    return covers(resets.get(key, ()), path)


def _autouse_resets(suite: SuiteView) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for where, ctx, node in autouse_calls(suite):
        if not isinstance(node.func, ast.Attribute) or node.args:
            continue
        write: Write | None = None
        if node.func.attr == "cache_clear":
            write = cached_call(node, ctx)
        elif node.func.attr in RESETS:
            write = mutation(node, ctx)
        if write is not None and write.key is not None:
            found.setdefault(write.key, []).append(where)
    return found
