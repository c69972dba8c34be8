"""Helpers of the duplicates rules: where a group member is, and how to name it."""

from __future__ import annotations

import ast
from collections.abc import Sequence

from auditor.api import Member, SuiteView, walk_local
from auditor.api import percent as percent  # the one percentage helper, for the rules here


def where(member: Member) -> str:
    """ "`name` (path:line)"."""
    return f"`{member.name}` ({member.path}:{member.line})"


def listing(members: Sequence[Member], shown: int = 3) -> str:
    """Members as "`a` (p:1), `b` (p:9) and 2 more"."""
    text = ", ".join(where(m) for m in members[:shown])
    more = len(members) - shown
    return f"{text} and {more} more" if more > 0 else text


def _shape(suite: SuiteView, member: Member) -> tuple[str, tuple[str, ...]] | None:
    """The renamed digest and the literal values of the def at the member's line; None
    when the parsed module does not have it."""
    summary = suite.suite.modules.get(member.path)
    if summary is None:
        return None
    for function, _ in summary.defs():
        if function.line == member.line and function.shape is not None:
            return function.shape.renamed, function.shape.values
    return None


def literal_values(suite: SuiteView, member: Member) -> tuple[str, ...] | None:
    """The literals of the def at the member's line, in order, as written; None when
    the parsed module does not have it."""
    found = _shape(suite, member)
    return None if found is None else found[1]


def locals_only(suite: SuiteView, members: Sequence[Member]) -> bool:
    """Do the members' codes differ only in the names they bind and in literal values
    (not in the names of what they call or read, nor in the kinds of their literals)?
    True when a def is missing."""
    shapes = [_shape(suite, m) for m in members]
    return len({s[0] for s in shapes if s is not None}) <= 1


def plural(count: int, word: str, many: str = "") -> str:
    return f"{count} {word if count == 1 else many or word + 's'}"


def clip(text: str, limit: int = 400) -> str:
    """`text`, cut after at most `limit` characters at a ", " (a suggestion lists the
    values of every case: thousands of generated tests make a 100 kB message)."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    cut = head.rfind(", ")
    return (head[:cut] if cut > 0 else head) + ", …"


def def_node(suite: SuiteView, member: Member) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The def at the member's line (its `def` line, after any decorators)."""
    file = suite.file(member.path)
    if file is None:
        return None
    for view in file.functions:
        if view.node.lineno == member.line:
            return view.node
    return None


def _is_check(statement: ast.stmt) -> bool:
    """An ``assert`` or a bare call of an ``assert*`` function or method."""
    if isinstance(statement, ast.Assert):
        return True
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        func = statement.value.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return name.startswith("assert")
    return False


def _operation(statement: ast.stmt) -> tuple[str, str] | None:
    """The method call a statement makes as its own act (``client.get(...)``, ``rv =
    await client.patch(...)``): the outermost call of its value, when that calls a
    method (not a class: ``rules.Text(...)`` builds an object)."""
    value: ast.expr | None = None
    if isinstance(statement, (ast.Expr, ast.Assign, ast.AnnAssign, ast.Return)):
        value = statement.value
    if isinstance(value, ast.Await):
        value = value.value
    if not isinstance(value, ast.Call) or not isinstance(value.func, ast.Attribute):
        return None
    method = value.func.attr
    if method[:1].isupper():
        return None
    return ast.unparse(value.func.value), method


def operations(node: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, frozenset[str]]:
    """Each object the def calls methods of as the acts of its statements (outside its
    checks) -> those methods (``client`` -> {``get``}; ``session`` -> {``add``})."""
    found: dict[str, set[str]] = {}
    for statement in walk_local(node):
        if not isinstance(statement, ast.stmt) or _is_check(statement):
            continue
        act = _operation(statement)
        if act is not None:
            found.setdefault(act[0], set()).add(act[1])
    return {receiver: frozenset(methods) for receiver, methods in found.items()}


def other_operation(suite: SuiteView, member: Member, other: Member) -> str | None:
    """The methods of one object the two tests call in place of each other
    (``client.patch`` where the other has ``client.get``): two operations under test,
    not one test over other data. None when there are none, or a def is missing."""
    mine, theirs = def_node(suite, member), def_node(suite, other)
    if mine is None or theirs is None:
        return None
    a, b = operations(mine), operations(theirs)
    for receiver in sorted(a.keys() & b.keys()):
        only_a, only_b = a[receiver] - b[receiver], b[receiver] - a[receiver]
        if only_a and only_b:
            return f"`{receiver}.{min(only_a)}` vs `{receiver}.{min(only_b)}`"
    return None


def _file_classes(suite: SuiteView, member: Member) -> dict[str, str]:
    """The module-level names the def reads whose value is built from a class of its
    own file (``ModelCreate = Model.get_pydantic()`` after ``class Model``) -> that
    class: in another file the same name is another object, whatever its spelling."""
    node = def_node(suite, member)
    file = suite.file(member.path)
    if node is None or file is None:
        return {}
    classes = {s.name for s in file.tree.body if isinstance(s, ast.ClassDef)}
    values: dict[str, ast.expr] = {}
    for statement in file.tree.body:
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    values[target.id] = statement.value
    found: dict[str, str] = {}
    for name in sorted({n.id for n in walk_local(node) if isinstance(n, ast.Name)}):
        value = values.get(name)
        if value is None:
            continue
        used = sorted({n.id for n in ast.walk(value) if isinstance(n, ast.Name)} & classes)
        if used:
            found[name] = f"{member.path}::{used[0]}"
    return found


def other_file_objects(suite: SuiteView, keep: Member, member: Member) -> list[str]:
    """The names two copies in different files read that are built from classes of
    their own files (the same test over two model classes is two tests)."""
    if keep.path == member.path:
        return []
    mine, theirs = _file_classes(suite, keep), _file_classes(suite, member)
    return sorted(n for n in mine.keys() & theirs.keys() if mine[n] != theirs[n])
