"""libcst module -> `ModuleSummary`: defs, classes, bindings, module-level pytest names.

One walk over the module's top-level statements (and each class body) records every def
and class with its parameters, body facts (does a fixture yield, which fixtures does it
fetch with ``request.getfixturevalue``), its reach and its `Shape`; every name the module
binds (imports, aliases, assignments); and the module variables pytest reads
(``pytestmark``, ``pytest_plugins``, ``collect_ignore``, ``__test__``, ``__all__``).
Decorators and marks are read by `auditor.parse.decorators`, shapes made by
`auditor.parse.shape`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import libcst as cst

from auditor.parse.decorators import (
    MODULE_PATCHERS,
    MODULE_SEQUENCES,
    AnyMark,
    calls_fixture,
    find_mark_aliases,
    fixture_by_call,
    marks_of,
    module_patchers,
    module_sequences,
    read_decorations,
    sequence_lengths,
)
from auditor.parse.lines import LineCursor, def_lines, fixture_call_lines
from auditor.parse.names import (
    bool_value,
    call_arguments,
    dotted,
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
    Function,
    Mark,
    ModuleSummary,
    Param,
    Parametrize,
)


@dataclass
class _Context:
    """What the walk of one module needs to know about its names."""

    aliases: dict[str, str]
    cursor: LineCursor
    scan_bodies: bool
    mark_aliases: dict[str, tuple[AnyMark, ...]] = field(default_factory=dict)
    dynamic: list[DynamicFixture] = field(default_factory=list)


CHUNK_LINES = 20_000
"""Files longer than this are parsed by libcst a run of top-level statements at a time:
a libcst tree takes about 400 bytes per byte of source (1.8 GB for a 4 MB generated file
of 50,000 tests), a chunk's tree is dropped before the next is parsed."""


def summarize(
    path: str, text: str, tree: ast.Module, *, chunk_lines: int = CHUNK_LINES
) -> ModuleSummary:
    """Parse `text` with libcst and summarise it; `tree` is the same text parsed by
    `ast` (which the caller has used to reject what Python itself cannot compile).
    Raises libcst.ParserSyntaxError."""
    with trusted_parse():
        return _summarize(path, text, tree, chunk_lines)


_NODE_CHECK = "__post_init__"
"""The hook of libcst's node dataclasses that validates each node built."""


@contextmanager
def trusted_parse() -> Iterator[None]:
    """libcst checks every node it builds (``CSTNode.__post_init__`` calls `_validate`),
    a check the output of its own parser always passes and a seventh of the time parsing
    takes. Off while a module is parsed and summarised (nothing here builds nodes of its
    own), back on afterwards, also when parsing fails: codemods build nodes and need it."""
    checked = cst.CSTNode.__dict__[_NODE_CHECK]
    setattr(cst.CSTNode, _NODE_CHECK, _unchecked)
    try:
        yield
    finally:
        setattr(cst.CSTNode, _NODE_CHECK, checked)


def _unchecked(node: cst.CSTNode) -> None:
    """A parsed node's `__post_init__`: nothing to check."""


def _summarize(path: str, text: str, tree: ast.Module, chunk_lines: int) -> ModuleSummary:
    lines = text.count("\n") + 1
    chunks = statement_chunks(text, tree, chunk_lines) if lines > chunk_lines else None
    walk_lines, call_lines = def_lines(tree), fixture_call_lines(tree)
    if chunks is None:
        module = cst.parse_module(text)
        context: list[cst.BaseStatement] = list(module.body)
        parts: Iterator[list[cst.BaseStatement]] = iter([flatten_blocks(module.body)])
    else:
        context = list(cst.parse_module(chunks.context).body)
        parts = (flatten_blocks(cst.parse_module(chunk).body) for chunk in chunks.texts)
    aliases = module_aliases(context)
    if path.endswith("_pytest/fixtures.py"):
        aliases.setdefault("fixture", "pytest.fixture")  # pytest's own definition site
    ctx = _Context(
        aliases=aliases,
        cursor=LineCursor(walk_lines),
        scan_bodies="getfixturevalue" in text,
    )
    ctx.mark_aliases = find_mark_aliases(flatten_blocks(context), ctx.aliases, ctx.mark_aliases)
    walk = _ModuleWalk(path, ctx)
    sequences = module_sequences(flatten_blocks(context))
    patchers = module_patchers(flatten_blocks(context), ctx.aliases)
    bound = MODULE_SEQUENCES.set(sequences)
    bound_patchers = MODULE_PATCHERS.set(patchers)
    try:
        for statements in parts:
            walk.walk(statements)
    finally:
        MODULE_SEQUENCES.reset(bound)
        MODULE_PATCHERS.reset(bound_patchers)
    summary = walk.summary(lines, sequence_lengths(sequences), tuple(patchers.items()))
    return _with_dynamic_lines(summary, call_lines)


@dataclass
class Chunks:
    """A long module as runs of whole top-level statements (``texts``, in order), and the
    statements that bind module-level names (``context``: everything but defs and classes)
    that every run needs to read its decorators and marks."""

    context: str
    texts: list[str]


def statement_chunks(text: str, tree: ast.Module, chunk_lines: int) -> Chunks:
    """Cut ``text`` between top-level statements into runs of about ``chunk_lines``."""
    lines = text.splitlines(keepends=True)
    spans: list[tuple[int, int, bool]] = []  # (first line, last line, a def or class?)
    for node in tree.body:
        decorators = getattr(node, "decorator_list", [])
        first = min([node.lineno, *(d.lineno for d in decorators)])
        last = node.end_lineno or node.lineno
        is_def = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        if spans and first <= spans[-1][1]:  # `a = 1; b = 2` on one line
            spans[-1] = (spans[-1][0], max(last, spans[-1][1]), spans[-1][2] and is_def)
        else:
            spans.append((first, last, is_def))
    context = "".join("".join(lines[a - 1 : b]) for a, b, is_def in spans if not is_def)
    texts: list[str] = []
    start = 1
    for index, (_, last, _) in enumerate(spans):
        following = spans[index + 1][0] if index + 1 < len(spans) else len(lines) + 1
        if last - start + 1 >= chunk_lines or following > len(lines):
            texts.append("".join(lines[start - 1 : following - 1]))
            start = following
    return Chunks(context, [t for t in texts if t.strip()])


def _with_dynamic_lines(summary: ModuleSummary, lines: list[int]) -> ModuleSummary:
    """Give run-time fixture sites found by statement (line 0) their lines."""
    pending = iter(lines)
    placed = tuple(
        replace(d, line=next(pending, 0)) if d.line == 0 else d for d in summary.dynamic_fixtures
    )
    return replace(summary, dynamic_fixtures=placed)


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

    def walk(self, statements: list[cst.BaseStatement]) -> None:
        """Record these top-level statements (the module's, in order, one run at a time)."""
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

    def summary(
        self,
        lines: int,
        sequences: tuple[tuple[str, int], ...] = (),
        patchers: tuple[tuple[str, int], ...] = (),
    ) -> ModuleSummary:
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
            sequences=sequences,
            patchers=patchers,
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
            elif calls_fixture(value, self.ctx.aliases):
                self.ctx.dynamic.append(DynamicFixture(0, "fixture assigned to a computed target"))

    def _assign_name(self, name: str, value: cst.BaseExpression, augmented: bool) -> None:
        if name == "pytestmark":
            self.marks.extend(marks_of(value, self.ctx.aliases, self.ctx.mark_aliases, line=0))
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
        if calls_fixture(value, self.ctx.aliases):
            registered = self._fixture_by_call(name, value)
            self.ctx.dynamic.append(
                DynamicFixture(
                    0,
                    f"`{name}` is made by calling a fixture decorator",
                    registered=name if registered is not None else "",
                )
            )
            if registered is not None:
                self.functions.append(registered)
                self.bindings.append(Binding(name, "function", registered.line, target=name))
                return
        alias = dotted(value)
        if alias is not None and "." not in alias:
            self.bindings.append(Binding(name, "alias", 0, target=alias))
        else:
            self.bindings.append(Binding(name, "other", 0))

    def _fixture_by_call(self, name: str, value: cst.BaseExpression) -> Function | None:
        """``name = pytest.fixture(...)(func)`` for a `func` defined above: pytest
        registers the fixture `name` (or the decorator's ``name=``) with `func`'s
        parameters, so it is recorded as a copy of `func`'s def (at that def's line)."""
        found = fixture_by_call(value, self.ctx.aliases)
        if found is None:
            return None
        spec, wrapped = found
        function = next((f for f in reversed(self.functions) if f.name == wrapped), None)
        if function is None or function.fixture is not None:
            return None
        return replace(function, name=name, fixture=spec)

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
        if calls_fixture(call, self.ctx.aliases):
            self.ctx.dynamic.append(DynamicFixture(0, "fixture made by a call"))


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
    decorations = read_decorations(node.decorators, ctx.aliases, ctx.mark_aliases, position.line)
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
        classmethod_outer=decorations.classmethod_outer,
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
        named_decorators=tuple(decorations.names),
        reach=reach_of(position.node, ctx.aliases) if position.node is not None else None,
        shape=shape_of(node),
    )


def _class_defs(
    body: Sequence[cst.BaseStatement], ctx: _Context
) -> tuple[list[Function], list[Class]]:
    """The methods and nested classes of a class body, in order; a decorator of a method
    reads the class's own attributes by bare name (`parametrize("key", error_messages)`);
    a nested class's body does not see them."""
    functions: list[Function] = []
    classes: list[Class] = []
    outer = MODULE_SEQUENCES.get()
    own = {**(outer or {}), **module_sequences(body)}
    for statement in body:
        if isinstance(statement, cst.FunctionDef):
            bound = MODULE_SEQUENCES.set(own)
            try:
                functions.append(_function(statement, ctx, in_class=True))
            finally:
                MODULE_SEQUENCES.reset(bound)
        elif isinstance(statement, cst.ClassDef):
            classes.append(_class(statement, ctx))
    return functions, classes


def _class(node: cst.ClassDef, ctx: _Context) -> Class:
    position = ctx.cursor.take(node.name.value)
    decorations = read_decorations(node.decorators, ctx.aliases, ctx.mark_aliases, position.line)
    bases = tuple(qualified(arg.value, ctx.aliases) or "?" for arg in node.bases if not arg.star)
    marks: list[AnyMark] = list(decorations.marks)
    test_attr: bool | None = None
    body = flatten_blocks(node.body.body if isinstance(node.body, cst.IndentedBlock) else [])
    local_marks = find_mark_aliases(body, ctx.aliases, ctx.mark_aliases)
    if local_marks:
        ctx = replace(ctx, mark_aliases={**ctx.mark_aliases, **local_marks})
    functions, classes = _class_defs(body, ctx)
    for statement in body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if not isinstance(small, cst.Assign) or len(small.targets) != 1:
                    continue
                target = small.targets[0].target
                if not isinstance(target, cst.Name):
                    continue
                if target.value == "pytestmark":
                    marks.extend(
                        marks_of(small.value, ctx.aliases, ctx.mark_aliases, position.line)
                    )
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
