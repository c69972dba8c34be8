"""libcst module -> `ModuleSummary`: defs, classes, decorators, marks, fixtures, imports."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import libcst as cst

from auditor.parse.lines import LineCursor, def_lines, fixture_call_lines
from auditor.parse.names import (
    bool_value,
    call_arguments,
    dotted,
    elements,
    flatten_blocks,
    import_target,
    module_aliases,
    qualified,
    string_list,
    string_value,
)
from auditor.parse.reach import reach_of
from auditor.parse.shape import shape_of
from auditor.parse.summary import (
    Binding,
    Class,
    DynamicFixture,
    FixtureSpec,
    Function,
    Mark,
    ModuleSummary,
    Param,
    Parametrize,
)

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
_SCOPES = ("function", "class", "module", "package", "session")

AnyMark = Mark | Parametrize


@dataclass
class _Context:
    """What the walk of one module needs to know about its names."""

    aliases: dict[str, str]
    cursor: LineCursor
    scan_bodies: bool
    mark_aliases: dict[str, tuple[AnyMark, ...]] = field(default_factory=dict)
    dynamic: list[DynamicFixture] = field(default_factory=list)


def summarize(path: str, text: str, tree: ast.Module) -> ModuleSummary:
    """Parse `text` with libcst and summarise it; `tree` is the same text parsed by
    `ast` (which the caller has used to reject what Python itself cannot compile).
    Raises libcst.ParserSyntaxError."""
    module = cst.parse_module(text)
    statements = flatten_blocks(module.body)
    aliases = module_aliases(module.body)
    if path.endswith("_pytest/fixtures.py"):
        aliases.setdefault("fixture", "pytest.fixture")  # pytest's own definition site
    ctx = _Context(
        aliases=aliases,
        cursor=LineCursor(def_lines(tree)),
        scan_bodies="getfixturevalue" in text,
    )
    ctx.mark_aliases = _mark_aliases(statements, ctx)
    summary = _ModuleWalk(path, ctx).run(statements, lines=text.count("\n") + 1)
    return _with_dynamic_lines(summary, fixture_call_lines(tree))


def _with_dynamic_lines(summary: ModuleSummary, lines: list[int]) -> ModuleSummary:
    """Give run-time fixture sites found by statement (line 0) their lines."""
    pending = iter(lines)
    placed = tuple(
        replace(d, line=next(pending, 0)) if d.line == 0 else d for d in summary.dynamic_fixtures
    )
    return replace(summary, dynamic_fixtures=placed)


def _mark_aliases(
    statements: Iterable[cst.BaseStatement], ctx: _Context
) -> dict[str, tuple[AnyMark, ...]]:
    found: dict[str, tuple[AnyMark, ...]] = {}
    for statement in statements:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                target = small.targets[0].target
                if isinstance(target, cst.Name) and target.value != "pytestmark":
                    marks = _marks_of(small.value, ctx, line=0)
                    if marks:
                        found[target.value] = marks
    return found


class _ModuleWalk:
    def __init__(self, path: str, ctx: _Context) -> None:
        self.path = path
        self.ctx = ctx
        self.functions: list[Function] = []
        self.classes: list[Class] = []
        self.bindings: list[Binding] = []
        self.marks: list[AnyMark] = []
        self.plugins: list[str] = []
        self.dynamic_plugins = False
        self.ignore: list[str] = []
        self.ignore_glob: list[str] = []
        self.test_attr: bool | None = None
        self.all_names: tuple[str, ...] | None = None

    def run(self, statements: list[cst.BaseStatement], lines: int) -> ModuleSummary:
        for statement in statements:
            if isinstance(statement, cst.FunctionDef):
                function = _function(statement, self.ctx, in_class=False)
                self.functions.append(function)
                self.bindings.append(
                    Binding(function.name, "function", function.line, target=function.name)
                )
            elif isinstance(statement, cst.ClassDef):
                klass = _class(statement, self.ctx)
                self.classes.append(klass)
                self.bindings.append(Binding(klass.name, "class", klass.line, target=klass.name))
            elif isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    self._small(small)
        return ModuleSummary(
            path=self.path,
            functions=tuple(self.functions),
            classes=tuple(self.classes),
            bindings=tuple(self.bindings),
            marks=tuple(m for m in self.marks if isinstance(m, Mark)),
            parametrize=tuple(m for m in self.marks if isinstance(m, Parametrize)),
            pytest_plugins=tuple(self.plugins),
            dynamic_pytest_plugins=self.dynamic_plugins,
            collect_ignore=tuple(self.ignore),
            collect_ignore_glob=tuple(self.ignore_glob),
            test_attr=self.test_attr,
            dynamic_fixtures=tuple(self.ctx.dynamic),
            all_names=self.all_names,
            lines=lines,
        )

    def _small(self, small: cst.BaseSmallStatement) -> None:
        if isinstance(small, cst.Import):
            for alias in small.names:
                local = import_target(alias.name).partition(".")[0]
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    local = alias.asname.name.value
                self.bindings.append(Binding(local, "other", 0))
        elif isinstance(small, cst.ImportFrom):
            self._import_from(small)
        elif isinstance(small, cst.Assign | cst.AnnAssign | cst.AugAssign):
            self._assign(small)
        elif isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
            self._module_call(small.value)

    def _import_from(self, node: cst.ImportFrom) -> None:
        level = len(node.relative)
        module = import_target(node.module) if node.module is not None else ""
        if isinstance(node.names, cst.ImportStar):
            self.bindings.append(Binding("*", "star", 0, module=module, level=level))
            return
        for alias in node.names:
            name = import_target(alias.name)
            local = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            self.bindings.append(
                Binding(local, "import", 0, module=module, target=name, level=level)
            )

    def _assign(self, node: cst.Assign | cst.AnnAssign | cst.AugAssign) -> None:
        if isinstance(node, cst.Assign):
            targets = [t.target for t in node.targets]
        else:
            targets = [node.target]
        value = node.value
        if value is None:
            return
        augmented = isinstance(node, cst.AugAssign)
        for target in targets:
            if isinstance(target, cst.Name):
                self._assign_name(target.value, value, augmented)
            elif _calls_fixture(value, self.ctx):
                self.ctx.dynamic.append(DynamicFixture(0, "fixture assigned to a computed target"))

    def _assign_name(self, name: str, value: cst.BaseExpression, augmented: bool) -> None:
        if name == "pytestmark":
            self.marks.extend(_marks_of(value, self.ctx, line=0))
            return
        listed = string_list(value)
        if name == "pytest_plugins":
            if listed is None:
                self.dynamic_plugins = True
            else:
                self.plugins.extend(listed)
            return
        if name in ("collect_ignore", "collect_ignore_glob"):
            store = self.ignore if name == "collect_ignore" else self.ignore_glob
            if not augmented:
                store.clear()
            store.extend(listed or ())
            return
        if name == "__test__":
            self.test_attr = bool_value(value)
            return
        if name == "__all__" and listed is not None:
            self.all_names = listed
            return
        if _calls_fixture(value, self.ctx):
            self.ctx.dynamic.append(
                DynamicFixture(0, f"`{name}` is made by calling a fixture decorator")
            )
        alias = dotted(value)
        if alias is not None and "." not in alias:
            self.bindings.append(Binding(name, "alias", 0, target=alias))
        else:
            self.bindings.append(Binding(name, "other", 0))

    def _module_call(self, call: cst.Call) -> None:
        func = call.func
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            owner, method = func.value.value, func.attr.value
            positional, _ = call_arguments(call)
            stores = {
                "collect_ignore": self.ignore,
                "collect_ignore_glob": self.ignore_glob,
                "pytest_plugins": self.plugins,
            }
            if owner in stores and positional and method in ("append", "extend"):
                values = string_list(positional[0])
                stores[owner].extend(values or ())
                return
        if _calls_fixture(call, self.ctx):
            self.ctx.dynamic.append(DynamicFixture(0, "fixture made by a call"))


def _calls_fixture(expr: cst.BaseExpression, ctx: _Context) -> bool:
    """Does this expression call a fixture decorator anywhere inside?"""
    found = False

    class _Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> bool:
            nonlocal found
            if qualified(node.func, ctx.aliases) in FIXTURE_DECORATORS:
                found = True
            return not found

    expr.visit(_Finder())
    return found


def _params(parameters: cst.Parameters) -> tuple[Param, ...]:
    found: list[Param] = []
    for kind, group in (
        ("positional_only", parameters.posonly_params),
        ("positional", parameters.params),
    ):
        found.extend(Param(p.name.value, kind, p.default is not None) for p in group)
    if isinstance(parameters.star_arg, cst.Param):
        found.append(Param(parameters.star_arg.name.value, "var_positional"))
    found.extend(
        Param(p.name.value, "keyword_only", p.default is not None) for p in parameters.kwonly_params
    )
    if parameters.star_kwarg is not None:
        found.append(Param(parameters.star_kwarg.name.value, "var_keyword"))
    return tuple(found)


@dataclass
class _Decorations:
    fixture: FixtureSpec | None = None
    dynamic_fixture: bool = False
    marks: list[AnyMark] = field(default_factory=list)
    patches: int = 0
    staticmethod: bool = False
    classmethod: bool = False
    supplied: tuple[str, ...] = ()
    supplied_positional: int = 0
    abstract: bool = False
    other: bool = False


def _decorations(decorators: Iterable[cst.Decorator], ctx: _Context, line: int) -> _Decorations:
    found = _Decorations()
    for decorator in decorators:
        expr = decorator.decorator
        call = expr if isinstance(expr, cst.Call) else None
        name = qualified(call.func if call else expr, ctx.aliases) or ""
        if name in FIXTURE_DECORATORS:
            spec = _fixture_spec(call, FIXTURE_DECORATORS[name])
            if spec is None:
                found.dynamic_fixture = True
            else:
                found.fixture = spec
        elif name in ("staticmethod", "classmethod"):
            found.staticmethod |= name == "staticmethod"
            found.classmethod |= name == "classmethod"
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
            marks = _marks_of(expr, ctx, line)
            found.marks.extend(marks)
            found.other |= not marks
    return found


def _patch_injects(call: cst.Call, targets: int) -> int:
    """1 when a mock.patch decorator passes the mock as an argument (no `new`)."""
    positional, keywords = call_arguments(call)
    return int(len(positional) <= targets and "new" not in keywords)


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
    if scope_expr is None and positional and string_value(positional[0]) in _SCOPES:
        scope_expr = positional[0]
    if scope_expr is not None:
        literal = string_value(scope_expr)
        if literal in _SCOPES:
            scope = literal
        else:
            scope_dynamic = True
    autouse_expr = keywords.get("autouse")
    autouse = bool_value(autouse_expr) if autouse_expr is not None else False
    params_expr = keywords.get("params")
    params_items = elements(params_expr) if params_expr is not None else None
    return FixtureSpec(
        name=name,
        scope=scope,
        scope_dynamic=scope_dynamic,
        autouse=bool(autouse),
        has_params=params_expr is not None,
        params_count=len(params_items) if params_items is not None else None,
        kind=kind,
    )


def _marks_of(expr: cst.BaseExpression, ctx: _Context, line: int) -> tuple[AnyMark, ...]:
    """The marks in a decorator or `pytestmark` value (a mark or a list of marks)."""
    items = elements(expr)
    if items is not None:
        return tuple(m for item in items for m in _marks_of(item, ctx, line))
    call = expr if isinstance(expr, cst.Call) else None
    target = call.func if call else expr
    if isinstance(target, cst.Attribute) and target.attr.value == "with_args":
        target = target.value
    local = dotted(target)
    if local is not None and local in ctx.mark_aliases:
        return ctx.mark_aliases[local]
    name = qualified(target, ctx.aliases)
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
    if values_expr is not None:
        items = elements(values_expr)
        cases = len(items) if items is not None else None
    scope_expr = keywords.get("scope")
    scope = string_value(scope_expr) if scope_expr is not None else None
    return Parametrize(
        argnames, line, indirect, cases, dynamic, scope if scope in _SCOPES else None
    )


class _BodyFacts(cst.CSTVisitor):
    """Does the body yield (at its own level)? Which fixtures does it fetch by name?"""

    def __init__(self) -> None:
        self.depth = 0
        self.yields = False
        self.literal: list[str] = []
        self.dynamic = False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.depth += 1

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.depth -= 1

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self.depth += 1

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self.depth -= 1

    def visit_Yield(self, node: cst.Yield) -> None:
        if self.depth == 0:
            self.yields = True

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value == "getfixturevalue"
            and _is_request(func.value)
        ):
            positional, keywords = call_arguments(node)
            argument = positional[0] if positional else keywords.get("argname")
            value = string_value(argument) if argument is not None else None
            if value is None:
                self.dynamic = True
            else:
                self.literal.append(value)


def _is_request(receiver: cst.BaseExpression) -> bool:
    """`request` or `self.request`: the fixture request object, not some other object."""
    name = dotted(receiver)
    return name is not None and name.split(".")[-1] == "request"


def _function(node: cst.FunctionDef, ctx: _Context, *, in_class: bool) -> Function:
    position = ctx.cursor.take(node.name.value)
    decorations = _decorations(node.decorators, ctx, position.line)
    if decorations.dynamic_fixture:
        ctx.dynamic.append(
            DynamicFixture(position.line, f"`{node.name.value}` has a computed fixture name")
        )
    facts = _BodyFacts()
    if decorations.fixture is not None or ctx.scan_bodies:
        node.body.visit(facts)
    return Function(
        name=node.name.value,
        line=position.line,
        col=position.col,
        end_line=position.end_line,
        params=_params(node.params),
        is_async=node.asynchronous is not None,
        is_generator=facts.yields,
        is_staticmethod=decorations.staticmethod,
        is_classmethod=decorations.classmethod,
        is_abstract=decorations.abstract,
        fixture=decorations.fixture,
        marks=tuple(m for m in decorations.marks if isinstance(m, Mark)),
        parametrize=tuple(m for m in decorations.marks if isinstance(m, Parametrize)),
        mock_patch_args=decorations.patches,
        supplied=decorations.supplied,
        supplied_positional=decorations.supplied_positional,
        getfixturevalue=tuple(facts.literal),
        dynamic_getfixturevalue=facts.dynamic,
        decorated=decorations.other,
        reach=reach_of(position.node, ctx.aliases) if position.node is not None else None,
        shape=shape_of(node),
    )


def _class(node: cst.ClassDef, ctx: _Context) -> Class:
    position = ctx.cursor.take(node.name.value)
    decorations = _decorations(node.decorators, ctx, position.line)
    bases = tuple(qualified(arg.value, ctx.aliases) or "?" for arg in node.bases if not arg.star)
    functions: list[Function] = []
    classes: list[Class] = []
    marks: list[AnyMark] = list(decorations.marks)
    test_attr: bool | None = None
    body = flatten_blocks(node.body.body if isinstance(node.body, cst.IndentedBlock) else [])
    local_marks = _mark_aliases(body, ctx)
    if local_marks:
        ctx = replace(ctx, mark_aliases={**ctx.mark_aliases, **local_marks})
    for statement in body:
        if isinstance(statement, cst.FunctionDef):
            functions.append(_function(statement, ctx, in_class=True))
        elif isinstance(statement, cst.ClassDef):
            classes.append(_class(statement, ctx))
        elif isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if not isinstance(small, cst.Assign) or len(small.targets) != 1:
                    continue
                target = small.targets[0].target
                if not isinstance(target, cst.Name):
                    continue
                if target.value == "pytestmark":
                    marks.extend(_marks_of(small.value, ctx, position.line))
                elif target.value == "__test__":
                    test_attr = bool_value(small.value)
    names = {f.name for f in functions}
    return Class(
        name=node.name.value,
        line=position.line,
        col=position.col,
        bases=bases,
        functions=tuple(functions),
        classes=tuple(classes),
        marks=tuple(m for m in marks if isinstance(m, Mark)),
        parametrize=tuple(m for m in marks if isinstance(m, Parametrize)),
        mock_patch_args=decorations.patches,
        has_init="__init__" in names,
        has_new="__new__" in names,
        test_attr=test_attr,
    )
