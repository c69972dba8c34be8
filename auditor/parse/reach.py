"""`ast` def -> `Reach`: the calls, timing and loops that tell a def's tier.

The standard library's `ast` walks a body at a tenth of libcst's cost, and nothing here
needs formatting, so the parse step hands this module the `ast` node of each def (see
`auditor.parse.lines`). Names are qualified through the module's imports and the def's
own (``import subprocess`` inside a test is common); a name that stays bare is a local
function or a relative import, which the classifier resolves through the module's
bindings.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping

from auditor.parse.astnames import dotted, import_aliases, qualify
from auditor.parse.summary import Call, Reach

_ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
_DURATION_WORDS = frozenset(
    {
        "time",
        "times",
        "timing",
        "runtime",
        "duration",
        "durations",
        "elapsed",
        "latency",
        "took",
        "seconds",
        "secs",
        "ms",
        "avg",
        "mean",
        "median",
        "p95",
        "p99",
        "throughput",
        "rps",
        "qps",
        "total",
        "delta",
        "second",
        "rate",
        "ops",
        "p50",
        "p90",
        "p999",
        "percentile",
        "percentiles",
        "quantile",
        "quantiles",
        "",
    }
)
"""Words (between underscores) of a name that holds a measurement."""
_WRITE_MODES = frozenset("wax+")
_PATCHERS = frozenset({"patch", "setattr", "patch.object", "patch.dict"})
_URL_LIMIT = 80
_READS = frozenset({"open", "read_text", "read_bytes", "load", "safe_load", "readlines", "read"})
"""Calls that read a file (a path computed from ``__file__`` is read, not just named)."""
_PATH_READS = frozenset({"read_text", "read_bytes", "open"})


def reach_of(
    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef,
    aliases: Mapping[str, str],
    *,
    calls_only: bool = False,
) -> Reach | None:
    """What this def's decorators and body call, assert and loop over; with
    `calls_only` (a def of the project, whose asserts and loops are not the test's),
    its calls and the strings it names only."""
    if isinstance(node, ast.ClassDef):
        return None
    body = list(_body_nodes(node))  # walked once, read three times
    local = {**aliases, **import_aliases(body)}
    calls: list[Call] = []
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = _name(target, local)
        if name is not None:
            calls.append(Call(name, decorator.lineno, "decorator"))
        if isinstance(decorator, ast.Call):  # ``@mock.patch.object(Engine, "connect")``
            calls.extend(c for c in _call(decorator, local) if c.kind == "patch")
    ordering: list[int] = []
    loops: list[tuple[int, int]] = []
    asserts = 0
    measured = frozenset() if calls_only else _measured_names(body)
    up: ast.expr | None = None
    found_up = not any(isinstance(n, ast.Name) and n.id == "__file__" for n in body)
    choices = _url_choices(body)
    for child in body:
        if isinstance(child, ast.Call):
            calls.extend(_call(child, local))
            if not found_up and _leaves_the_folder(child, local):
                up, found_up = child, True
        elif not found_up and isinstance(child, ast.Subscript | ast.Attribute | ast.BinOp):
            if _leaves_the_folder(child, local):
                up, found_up = child, True
        elif isinstance(child, ast.Constant) and isinstance(child.value, str):
            if "://" in child.value:
                calls.append(Call(child.value[:_URL_LIMIT], child.lineno, "url"))
            elif child.value == ":memory:":
                calls.append(Call(":memory:", child.lineno, "url"))
            else:
                continue
            choice = choices.get(id(child))
            if choice is not None:  # right after its URL: the pair is read in order
                calls.append(Call(choice[:_URL_LIMIT], child.lineno, "url-choice"))
        elif calls_only:
            continue
        elif isinstance(child, ast.Assert):
            asserts += 1
            if _bounds_a_duration(child.test, measured):
                ordering.append(child.lineno)
        elif isinstance(child, ast.For | ast.AsyncFor):
            _loop(child.iter, child.lineno, loops)
        elif isinstance(child, ast.comprehension):
            _loop(child.iter, child.iter.lineno, loops)
    if up is not None and any(c.name.rpartition(".")[2] in _READS for c in calls):
        calls.append(Call(ast.unparse(up)[:_URL_LIMIT], up.lineno, "project-file"))
    return Reach(tuple(calls), tuple(ordering), tuple(loops), asserts)


def _url_choices(body: list[ast.AST]) -> dict[int, str]:
    """id(URL literal) -> the name it is picked by, for the URLs of a table of
    alternatives (``{"sqlite": "sqlite://", "postgres": "postgresql://..."}[db]``) or
    of a branch (``if db == "sqlite": return "sqlite://"``): one run uses one of them."""
    found: dict[int, str] = {}
    for node in body:
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                name = _text(key)
                if name is not None and _text(value) is not None:
                    found[id(value)] = name
        elif isinstance(node, ast.If) and isinstance(node.test, ast.Compare):
            test = node.test
            names = [n for side in (test.left, *test.comparators) if (n := _text(side))]
            if len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq) and len(names) == 1:
                for statement in node.body:
                    if isinstance(statement, ast.Return | ast.Assign) and _text(statement.value):
                        found[id(statement.value)] = names[0]
    return found


def _text(node: ast.AST | None) -> str | None:
    """The value of a string literal."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _leaves_the_folder(node: ast.expr, aliases: Mapping[str, str]) -> bool:
    """A path computed from ``__file__`` above the file's own folder: the project's
    files (``Path(__file__).parents[1]``, ``.parent.parent``, two ``os.path.dirname``,
    ``".."`` joined on); a file beside the module (test data) is not counted."""
    if isinstance(node, ast.BinOp):
        return isinstance(node.op, ast.Div) and _leaves_the_folder(node.left, aliases)
    if isinstance(node, ast.Subscript):
        index = node.slice
        return (
            isinstance(node.value, ast.Attribute)
            and node.value.attr == "parents"
            and isinstance(index, ast.Constant)
            and type(index.value) is int
            and index.value >= 1
            and _names_file(node.value)
        )
    if isinstance(node, ast.Attribute):
        inner = node.value
        return (
            node.attr == "parent"
            and isinstance(inner, ast.Attribute)
            and inner.attr == "parent"
            and _names_file(inner)
        )
    if isinstance(node, ast.Call):
        name = _name(node.func, aliases)
        first = node.args[0] if node.args else None
        if name == "os.path.dirname" and isinstance(first, ast.Call):
            return _name(first.func, aliases) == "os.path.dirname" and _names_file(first)
        if name == "os.path.join":
            dots = any(isinstance(a, ast.Constant) and a.value == ".." for a in node.args)
            return dots and any(_names_file(a) for a in node.args)
    return False


def _names_file(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Name) and n.id == "__file__" for n in ast.walk(node))


def _body_nodes(node: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[ast.AST]:
    for statement in node.body:
        yield from ast.walk(statement)
    for default in (*node.args.defaults, *node.args.kw_defaults):
        if default is not None:
            yield from ast.walk(default)


def _name(expr: ast.expr, aliases: Mapping[str, str]) -> str | None:
    """Qualified dotted name; ``.method`` for a method of a computed receiver."""
    name = dotted(expr)
    if name is None:
        return f".{expr.attr}" if isinstance(expr, ast.Attribute) else None
    return qualify(name, aliases)


def _call(call: ast.Call, aliases: Mapping[str, str]) -> Iterator[Call]:
    name = _name(call.func, aliases)
    if name is None:
        return
    yield Call(name, call.lineno)
    first = call.args[0] if call.args else None
    last = name.rpartition(".")[2]
    patcher = last in _PATCHERS or name.endswith(("patch.object", "patch.dict"))
    if (
        isinstance(first, ast.Constant)
        and isinstance(first.value, str)
        and "." in first.value
        and patcher
    ):
        yield Call(first.value, call.lineno, "patch")
    elif patcher and first is not None and len(call.args) > 1:
        owner, attribute = _name(first, aliases), call.args[1]
        if (  # ``patch.object(echo, "ask")``, ``monkeypatch.setattr(echo, "ask", ...)``
            owner is not None
            and not owner.startswith(".")
            and isinstance(attribute, ast.Constant)
            and isinstance(attribute.value, str)
        ):
            yield Call(f"{owner}.{attribute.value}", call.lineno, "patch")
    default = _default(call, name, last)
    if default is not None:
        yield Call(default[:_URL_LIMIT], call.lineno, "default")
    if name == "open" and _writes(call):
        path = first.value if isinstance(first, ast.Constant) else None
        yield Call(path if isinstance(path, str) else "?", call.lineno, "open-write")
    elif name == "open" and _relative_literal(first):
        yield Call(str(first.value), call.lineno, "open-read")  # type: ignore[union-attr]
    elif (
        isinstance(call.func, ast.Attribute)
        and call.func.attr in _PATH_READS
        and isinstance(call.func.value, ast.Call)
        and _name(call.func.value.func, aliases) in ("pathlib.Path", "Path")
        and call.func.value.args
        and _relative_literal(call.func.value.args[0])
        and not (call.func.attr == "open" and _writes(call))
    ):
        literal = call.func.value.args[0]
        yield Call(str(literal.value), call.lineno, "open-read")  # type: ignore[attr-defined]


def _default(call: ast.Call, name: str, last: str) -> str | None:
    """The string default of a command-line option (``parser.addoption("--db",
    default="sqlite")``, ``config.getoption("db", "sqlite")``) or of an environment
    variable (``os.environ.get("DB", "sqlite")``, ``os.getenv("DB", "sqlite")``): what a
    plain run of the suite picks."""
    value: ast.expr | None = None
    if last in ("addoption", "getoption", "getvalue"):
        value = next((k.value for k in call.keywords if k.arg == "default"), None)
        if value is None and last == "getoption" and len(call.args) > 1:
            value = call.args[1]
    elif name in ("os.environ.get", "os.getenv", "os.environ.setdefault") and len(call.args) > 1:
        value = call.args[1]
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return value.value
    return None


def _relative_literal(node: ast.expr | None) -> bool:
    """A literal relative file path (``"pyproject.toml"``): read from the working
    directory, the project's root when tests run."""
    if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
        return False
    text = node.value
    return bool(text) and not text.startswith(("/", "~")) and "://" not in text and "\n" not in text


def _writes(call: ast.Call) -> bool:
    mode: ast.expr | None = call.args[1] if len(call.args) > 1 else None
    for keyword in call.keywords:
        if keyword.arg == "mode":
            mode = keyword.value
    return (
        isinstance(mode, ast.Constant)
        and isinstance(mode.value, str)
        and bool(_WRITE_MODES & set(mode.value))
    )


def _measured_names(body: list[ast.AST]) -> frozenset[str]:
    """Names the def assigns a difference to (``elapsed = time.perf_counter() - t0``),
    and names computed from those (``per_call = elapsed / n``)."""
    assigned: list[tuple[str, ast.expr]] = []
    for child in body:
        if isinstance(child, ast.Assign | ast.AnnAssign | ast.AugAssign) and child.value:
            targets = child.targets if isinstance(child, ast.Assign) else [child.target]
            assigned.extend((t.id, child.value) for t in targets if isinstance(t, ast.Name))
    names: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name, value in assigned:
            if name not in names and _measured(value, frozenset(names)):
                names.add(name)
                changed = True
    return frozenset(names)


def _bounds_a_duration(test: ast.expr, measured: frozenset[str]) -> bool:
    """An ordering comparison of a measurement with a limit: one side a number or an
    UPPER_CASE constant (``elapsed < 0.5``, ``avg_ms <= MAX_LATENCY``), the other a
    difference, a name such as elapsed/duration/avg_time, or a name computed from one."""
    for node in ast.walk(test):
        if isinstance(node, ast.Compare) and any(isinstance(op, _ORDERING) for op in node.ops):
            sides = (node.left, *node.comparators)
            if any(_limit(side) for side in sides) and any(
                _measured(side, measured) for side in sides
            ):
                return True
    return False


def _limit(side: ast.expr) -> bool:
    if isinstance(side, ast.Constant):
        return type(side.value) in (int, float)
    if isinstance(side, ast.UnaryOp | ast.BinOp):
        return all(_limit(n) for n in ast.iter_child_nodes(side) if isinstance(n, ast.expr))
    name = side.id if isinstance(side, ast.Name) else getattr(side, "attr", None)
    return isinstance(name, str) and name.isupper()


def _measured(side: ast.expr, measured: frozenset[str]) -> bool:
    for node in ast.walk(side):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub):
            return True
        if isinstance(node, ast.Name) and node.id in measured:
            return True
        name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", None)
        if isinstance(name, str) and not _DURATION_WORDS.isdisjoint(name.lower().split("_")):
            return True
    return False


def _loop(iterable: ast.expr, line: int, loops: list[tuple[int, int]]) -> None:
    if not (
        isinstance(iterable, ast.Call)
        and isinstance(iterable.func, ast.Name)
        and iterable.func.id == "range"
        and iterable.args
    ):
        return
    bounds = [
        a.value for a in iterable.args[:2] if isinstance(a, ast.Constant) and type(a.value) is int
    ]
    if len(bounds) != min(len(iterable.args), 2):
        return
    count = bounds[0] if len(bounds) == 1 else bounds[1] - bounds[0]
    loops.append((count, line))
