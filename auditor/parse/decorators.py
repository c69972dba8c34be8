"""libcst decorators and mark expressions -> fixture specs, marks and parametrize.

What pytest reads from a def's decorators, seen statically: ``@pytest.fixture(...)``
(scope, autouse, params, a renamed fixture), ``@pytest.mark.*`` and
``@pytest.mark.parametrize(...)``, and the decorators that fill parameters themselves
(``mock.patch``, ``hypothesis.given``). Names are resolved through the module's import
aliases (``aliases``) and its names bound to marks (``mark_aliases``, such as
``slow = pytest.mark.slow``), so ``from pytest import fixture as fx`` is still a fixture.
`auditor.parse.extract` calls these while it walks a module.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field

import libcst as cst

from auditor.parse.names import (
    bool_value,
    call_arguments,
    dotted,
    elements,
    qualified,
    string_list,
    string_value,
)
from auditor.parse.summary import FixtureSpec, Mark, Parametrize

FIXTURE_DECORATORS = {
    "pytest.fixture": "pytest",
    "_pytest.fixtures.fixture": "pytest",
    "pytest.yield_fixture": "pytest",
    "pytest_asyncio.fixture": "pytest_asyncio",
    "pytest_asyncio.plugin.fixture": "pytest_asyncio",
}
MARK_PREFIXES = (
    "pytest.mark.",
    "_pytest.mark.MARK_GEN.",
    "_pytest.mark.structures.MARK_GEN.",
)
PATCH_DECORATORS = {
    "unittest.mock.patch": 1,
    "mock.patch": 1,
    "unittest.mock.patch.object": 2,
    "mock.patch.object": 2,
}
SCOPES = ("function", "class", "module", "package", "session")

AnyMark = Mark | Parametrize
MarkAliases = Mapping[str, tuple[AnyMark, ...]]
"""Names bound to marks (``slow = pytest.mark.slow``), with the marks they stand for."""


@dataclass
class Decorations:
    """What a def's or class's decorators tell pytest."""

    fixture: FixtureSpec | None = None
    dynamic_fixture: bool = False
    marks: list[AnyMark] = field(default_factory=list)
    patches: int = 0
    staticmethod: bool = False
    classmethod: bool = False
    classmethod_outer: bool = False
    """``@classmethod`` written above the fixture decorator (wrapping the fixture)."""
    supplied: tuple[str, ...] = ()
    supplied_positional: int = 0
    abstract: bool = False
    other: bool = False
    names: list[str] = field(default_factory=list)
    """Bare-name decorators that are not marks, fixtures or a patcher of this module."""


def read_decorations(
    decorators: Iterable[cst.Decorator],
    aliases: Mapping[str, str],
    mark_aliases: MarkAliases,
    line: int,
) -> Decorations:
    """Read the decorators of the def or class at `line`."""
    found = Decorations()
    for decorator in decorators:
        expr = decorator.decorator
        call = expr if isinstance(expr, cst.Call) else None
        name = qualified(call.func if call else expr, aliases) or ""
        if name in FIXTURE_DECORATORS:
            spec = _fixture_spec(call, FIXTURE_DECORATORS[name])
            if spec is None:
                found.dynamic_fixture = True
            else:
                found.fixture = spec
        elif name in ("staticmethod", "classmethod"):
            found.staticmethod |= name == "staticmethod"
            found.classmethod |= name == "classmethod"
            if name == "classmethod" and found.fixture is None and not found.dynamic_fixture:
                found.classmethod_outer = True
        elif name in ("abc.abstractmethod", "abstractmethod"):
            found.abstract = True
        elif name in ("hypothesis.given", "given") and call is not None:
            positional, keywords = call_arguments(call)
            found.supplied += tuple(keywords)
            found.supplied_positional += len(positional)
            found.other = True
        elif name in PATCH_DECORATORS and call is not None:
            found.patches += _patch_injects(call, PATCH_DECORATORS[name])
            found.other = True
        else:
            marks = marks_of(expr, aliases, mark_aliases, line)
            found.marks.extend(marks)
            found.other |= not marks
            if not marks and isinstance(expr, cst.Name):
                injected = (MODULE_PATCHERS.get() or {}).get(expr.value)
                if injected is not None:
                    found.patches += injected
                else:
                    found.names.append(expr.value)
    return found


def calls_fixture(expr: cst.BaseExpression, aliases: Mapping[str, str]) -> bool:
    """Does this expression call a fixture decorator anywhere inside?"""
    found = False

    class _Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> bool:
            nonlocal found
            if qualified(node.func, aliases) in FIXTURE_DECORATORS:
                found = True
            return not found

    expr.visit(_Finder())
    return found


def fixture_by_call(
    expr: cst.BaseExpression, aliases: Mapping[str, str]
) -> tuple[FixtureSpec, str] | None:
    """``pytest.fixture(...)(func)`` or ``pytest.fixture(func)``: the spec of the fixture
    this call registers and the name of the function it wraps (None for other calls, and
    for a computed fixture name)."""
    if not isinstance(expr, cst.Call) or len(expr.args) != 1 or expr.args[0].keyword:
        return None
    wrapped = expr.args[0].value
    if not isinstance(wrapped, cst.Name) or expr.args[0].star:
        return None
    decorator = expr.func
    call = decorator if isinstance(decorator, cst.Call) else None
    kind = FIXTURE_DECORATORS.get(qualified(call.func if call else decorator, aliases) or "")
    if kind is None:
        return None
    spec = _fixture_spec(call, kind)
    return None if spec is None else (spec, wrapped.value)


def find_mark_aliases(
    statements: Iterable[cst.BaseStatement],
    aliases: Mapping[str, str],
    known: MarkAliases,
) -> dict[str, tuple[AnyMark, ...]]:
    """The names these statements bind to marks (``slow = pytest.mark.slow``); `known`
    are the mark aliases of the enclosing scope."""
    found: dict[str, tuple[AnyMark, ...]] = {}
    for statement in statements:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                target = small.targets[0].target
                if isinstance(target, cst.Name) and target.value != "pytestmark":
                    marks = marks_of(small.value, aliases, known, line=0)
                    if marks:
                        found[target.value] = marks
    return found


def marks_of(
    expr: cst.BaseExpression,
    aliases: Mapping[str, str],
    mark_aliases: MarkAliases,
    line: int,
) -> tuple[AnyMark, ...]:
    """The marks in a decorator or `pytestmark` value (a mark or a list of marks)."""
    items = elements(expr)
    if items is not None:
        return tuple(m for item in items for m in marks_of(item, aliases, mark_aliases, line))
    call = expr if isinstance(expr, cst.Call) else None
    target = call.func if call else expr
    if isinstance(target, cst.Attribute) and target.attr.value == "with_args":
        target = target.value
    local = dotted(target)
    if local is not None and local in mark_aliases:
        return mark_aliases[local]
    name = qualified(target, aliases)
    if name is None:
        return ()
    prefix = next((p for p in MARK_PREFIXES if name.startswith(p)), None)
    if prefix is None:
        return ()
    mark_name = name[len(prefix) :].partition(".")[0]
    if mark_name == "parametrize":
        return (_parametrize(call, line),) if call is not None else ()
    args: tuple[str, ...] = ()
    kwargs: tuple[str, ...] = ()
    if call is not None:
        positional, keywords = call_arguments(call)
        args = tuple(v for v in (string_value(p) for p in positional) if v is not None)
        kwargs = tuple(keywords)
    return (Mark(mark_name, line, args, kwargs),)


def _patch_injects(call: cst.Call, targets: int) -> int:
    """1 when a mock.patch decorator passes the mock as an argument (no `new`)."""
    positional, keywords = call_arguments(call)
    return int(len(positional) <= targets and "new" not in keywords)


MODULE_PATCHERS: ContextVar[Mapping[str, int] | None] = ContextVar("MODULE_PATCHERS", default=None)
"""While one module is summarised: its module-level names bound to a `mock.patch(...)`
call (``patch_url = patch("app.url")``), with the mock arguments each passes."""


def module_patchers(
    statements: Iterable[cst.BaseStatement], aliases: Mapping[str, str]
) -> dict[str, int]:
    """Module-level ``NAME = mock.patch(...)`` bindings and the arguments each injects."""
    found: dict[str, int] = {}
    for name, value in _assignments(statements):
        called = qualified(value.func, aliases) if isinstance(value, cst.Call) else None
        if isinstance(value, cst.Call) and called in PATCH_DECORATORS:
            found[name] = _patch_injects(value, PATCH_DECORATORS[called])
    return found


MODULE_SEQUENCES: ContextVar[Mapping[str, cst.BaseExpression] | None] = ContextVar(
    "MODULE_SEQUENCES", default=None
)
"""While one module is summarised: its module-level names bound to a list or tuple display
(``CASES = [...]``), so that ``params=CASES`` and ``parametrize("x", CASES)`` count."""


def sequence_items(expr: cst.BaseExpression) -> tuple[cst.BaseExpression, ...] | None:
    """The items of a list/tuple display, or of the one a module-level name is bound to."""
    items = elements(expr)
    if items is None and isinstance(expr, cst.Name):
        bound = (MODULE_SEQUENCES.get() or {}).get(expr.value)
        items = elements(bound) if bound is not None else None
    return items


def sequence_lengths(
    sequences: Mapping[str, cst.BaseExpression],
) -> tuple[tuple[str, int], ...]:
    """Each name bound to a list or tuple display, with its number of items."""
    return tuple(
        (name, len(items))
        for name, expr in sequences.items()
        if (items := elements(expr)) is not None
    )


def module_sequences(statements: Iterable[cst.BaseStatement]) -> dict[str, cst.BaseExpression]:
    """Module-level ``NAME = [...]`` / ``NAME = (...)`` bindings (the last one wins)."""
    found: dict[str, cst.BaseExpression] = {}
    for name, value in _assignments(statements):
        if value is not None and elements(value) is not None:
            found[name] = value
        else:
            found.pop(name, None)
    return found


def _assignments(
    statements: Iterable[cst.BaseStatement],
) -> Iterator[tuple[str, cst.BaseExpression | None]]:
    """Each ``NAME = value`` (or ``NAME: T = value``) of a body, in order."""
    for statement in statements:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            value: cst.BaseExpression | None = None
            target: cst.BaseExpression | None = None
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                target, value = small.targets[0].target, small.value
            elif isinstance(small, cst.AnnAssign):
                target, value = small.target, small.value
            if isinstance(target, cst.Name):
                yield target.value, value


def _fixture_spec(call: cst.Call | None, kind: str) -> FixtureSpec | None:
    """The decorator's arguments; None when the fixture's name is computed."""
    if call is None:
        return FixtureSpec(kind=kind)
    positional, keywords = call_arguments(call)
    name: str | None = None
    if "name" in keywords:
        name = string_value(keywords["name"])
        if name is None:
            return None
    scope, scope_dynamic = "function", False
    scope_expr = keywords.get("scope")
    if scope_expr is None and positional and string_value(positional[0]) in SCOPES:
        scope_expr = positional[0]
    if scope_expr is not None:
        literal = string_value(scope_expr)
        if literal in SCOPES:
            scope = literal
        else:
            scope_dynamic = True
    autouse_expr = keywords.get("autouse")
    autouse = bool_value(autouse_expr) if autouse_expr is not None else False
    params_expr = keywords.get("params")
    params_items = sequence_items(params_expr) if params_expr is not None else None
    return FixtureSpec(
        name=name,
        scope=scope,
        scope_dynamic=scope_dynamic,
        autouse=bool(autouse),
        has_params=params_expr is not None,
        params_count=len(params_items) if params_items is not None else None,
        kind=kind,
        params_from=(
            bare_name(params_expr) if params_expr is not None and params_items is None else None
        ),
    )


def _parametrize(call: cst.Call, line: int) -> Parametrize:
    positional, keywords = call_arguments(call)
    names_expr = keywords.get("argnames", positional[0] if positional else None)
    values_expr = keywords.get("argvalues", positional[1] if len(positional) > 1 else None)
    argnames: tuple[str, ...] = ()
    dynamic = True
    if names_expr is not None:
        single = string_value(names_expr)
        if single is not None:
            argnames = tuple(n.strip() for n in single.split(",") if n.strip())
            dynamic = False
        else:
            listed = string_list(names_expr)
            if listed is not None:
                argnames, dynamic = tuple(n.strip() for n in listed), False
    indirect: tuple[str, ...] = ()
    indirect_expr = keywords.get("indirect")
    if indirect_expr is not None:
        listed = string_list(indirect_expr) or ()
        indirect = argnames if bool_value(indirect_expr) else listed
    cases: int | None = None
    values_from: str | None = None
    if values_expr is not None:
        items = sequence_items(values_expr)
        cases = len(items) if items is not None else None
        values_from = bare_name(values_expr) if items is None else None
    scope_expr = keywords.get("scope")
    scope = string_value(scope_expr) if scope_expr is not None else None
    return Parametrize(
        argnames,
        line,
        indirect,
        cases,
        dynamic,
        scope if scope in SCOPES else None,
        values_from,
    )


def bare_name(expr: cst.BaseExpression) -> str | None:
    """The name an expression is, when it is one (`ALL_FIELDS`)."""
    return expr.value if isinstance(expr, cst.Name) else None
