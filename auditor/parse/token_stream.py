"""libcst def -> token stream: the walk that flattens a def for `auditor.parse.shape`.

The def is flattened into a token stream by a hand-written walk over the libcst tree
(not its text): a node emits its type name (``#Call``: no identifier looks like it),
then its children field by field. Formatting never reaches the stream: whitespace,
comments, blank lines, parentheses and brackets, commas, semicolons, how statements are
split over lines (``a; b`` equals two lines, ``if x: y`` the indented form), string
quote style. A sequence (a block, a call's arguments, a list's elements) is closed by
`CLOSE` so that ``f(a, g(b), c)`` and ``f(a, g(b, c))`` differ. The walk reads the
dataclass fields of each node type directly: libcst's visitors and ``node.children``
rebuild every node they pass and cost ten times as much.

Besides the tokens, the stream records where its literals and renamable names are and
which names the def binds; `auditor.parse.shape` derives its normalised streams from
those positions.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import libcst as cst
from libcst.helpers import get_full_name_for_node

MAX_VALUES = 32
"""Literal values kept, in source order, for the parametrize suggestion."""

CLOSE = ")"
"""The token that ends a sequence (a block, a call's arguments, a list's elements)."""
_MISSING = "_"
_CODEGEN = cst.Module(body=())

_SKIP_FIELDS = frozenset(
    {
        "lpar",
        "rpar",
        "lbracket",
        "rbracket",
        "lbrace",
        "rbrace",
        "comma",
        "semicolon",
        "colon",
        "first_colon",
        "second_colon",
        "dot",
        "equal",
        "separator",
        "trailing_comma",
        "leading_lines",
        "lines_after_decorators",
        "header",
        "footer",
        "indent",
        "newline",
        "comment",
        "trailing_whitespace",
        "leading_whitespace",
        "empty_lines",
        "first_line",
        "last_line",
    }
)
"""Fields that hold formatting (fields named ``whitespace*`` are skipped too)."""
_ORDER: dict[type[cst.CSTNode], tuple[str, ...]] = {
    # fields whose dataclass order is not the order of the source
    cst.IfExp: ("body", "test", "orelse"),
    cst.For: ("asynchronous", "target", "iter", "body", "orelse"),
    cst.With: ("asynchronous", "items", "body"),
    cst.CompFor: ("asynchronous", "target", "iter", "ifs", "inner_for_in"),
    cst.ClassDef: ("decorators", "name", "type_parameters", "bases", "keywords", "body"),
    cst.ExceptHandler: ("type", "name", "body"),
    cst.ExceptStarHandler: ("type", "name", "body"),
    cst.MatchCase: ("pattern", "guard", "body"),
    cst.Param: ("star", "name", "annotation", "default"),
    cst.Parameters: (
        "posonly_params",
        "posonly_ind",
        "params",
        "star_arg",
        "kwonly_params",
        "star_kwarg",
    ),
    cst.Index: ("star", "value"),
    cst.ImportFrom: ("relative", "module", "names"),
    cst.TypeAlias: ("name", "type_parameters", "value"),
    cst.NotEqual: (),  # `value` is "!=" or "<>": spelling
}
_BINDS: dict[type[cst.CSTNode], tuple[str, ...]] = {
    cst.AssignTarget: ("target",),
    cst.AugAssign: ("target",),
    cst.AnnAssign: ("target",),
    cst.For: ("target",),
    cst.CompFor: ("target",),
    cst.WithItem: ("asname",),
    cst.ExceptHandler: ("name",),
    cst.ExceptStarHandler: ("name",),
    cst.NamedExpr: ("target",),
    cst.Param: ("name",),
    cst.MatchAs: ("name",),
    cst.MatchStar: ("name",),
    cst.ClassDef: ("name",),
}
_MARK_MISSING: frozenset[type[cst.CSTNode]] = frozenset({cst.Slice})
"""Types whose absent optional fields are marked: ``a[x:]`` is not ``a[:x]``."""
_WRAPPERS: frozenset[type[cst.CSTNode]] = frozenset(
    {
        cst.Element,
        cst.SubscriptElement,
        cst.Index,
        cst.AssignTarget,
        cst.ComparisonTarget,
        cst.DictElement,
        cst.NameItem,
    }
)
"""Types that add no meaning of their own: their children are emitted, not their name."""
_NUMBERS: dict[type[cst.CSTNode], str] = {
    cst.Integer: "<int>",
    cst.Float: "<float>",
    cst.Imaginary: "<complex>",
}


@dataclasses.dataclass(frozen=True, slots=True)
class _Plan:
    token: str
    fields: tuple[str, ...]
    binds: tuple[str, ...]
    mark_missing: bool


_PLANS: dict[type[cst.CSTNode], _Plan] = {}


def _plan(kind: type[cst.CSTNode]) -> _Plan:
    """Which fields of a node type carry meaning, in source order (computed once a type)."""
    fields = _ORDER.get(kind)
    if fields is None:
        fields = tuple(
            f.name
            for f in dataclasses.fields(kind)
            if f.name not in _SKIP_FIELDS and not f.name.startswith("whitespace")
        )
    token = "" if kind in _WRAPPERS else "#" + kind.__name__
    plan = _Plan(token, fields, _BINDS.get(kind, ()), kind in _MARK_MISSING)
    _PLANS[kind] = plan
    return plan


class TokenStream:
    """The tokens of one def, with the positions of its literals and names."""

    __slots__ = (
        "_recording",
        "bound",
        "literals",
        "members",
        "names",
        "raised",
        "steps",
        "tokens",
        "values",
    )

    def __init__(self) -> None:
        self.steps: list[tuple[int, int, bool]] = []
        """(start, end, is_check) token spans of the def's simple statements, in order,
        through compound statements but not into nested defs: `is_check` for an
        `assert` or a call of an ``assert*``/``check*``/``verify*``/``expect*`` function;
        a ``with pytest.raises(...)`` block adds its statements, then one empty check
        span for the expectation (see `raised`)."""
        self.raised: list[tuple[int, str]] = []
        """(position, expectation) of the checks made by ``with pytest.raises(X)``: the
        step at that empty span stands for the expectation (``raises:ValueError``)."""
        self._recording = True
        self.tokens: list[str] = []
        self.literals: list[tuple[int, str]] = []
        """(position, placeholder) of each literal."""
        self.names: list[int] = []
        """Positions of identifiers that may be renamed."""
        self.members: list[tuple[int, str, str]] = []
        """(position, identifier, token format) of attribute and keyword names."""
        self.bound: set[str] = set()
        self.values: list[str] = []

    def literal(self, token: str, placeholder: str, written: str) -> None:
        self.literals.append((len(self.tokens), placeholder))
        self.tokens.append(token)
        if len(self.values) < MAX_VALUES:
            self.values.append(written)

    def walk(self, node: cst.CSTNode) -> None:
        kind = type(node)
        if kind is cst.Name:
            value = node.value  # type: ignore[attr-defined]
            if value == "True" or value == "False":
                self.literal(value, "<bool>", value)
            else:
                self.names.append(len(self.tokens))
                self.tokens.append(value)
            return
        special = _HANDLERS.get(kind)
        if special is not None:
            special(self, node)
        else:
            self.generic(node, _PLANS.get(kind) or _plan(kind))

    def generic(self, node: cst.CSTNode, plan: _Plan) -> None:
        """The node's type name (unless a mere wrapper), then its fields in order."""
        tokens = self.tokens
        if plan.token:
            tokens.append(plan.token)
        for field in plan.binds:
            self.bind(getattr(node, field))
        for field in plan.fields:
            value = getattr(node, field)
            kind = type(value)
            if kind is tuple or kind is list:
                for child in value:
                    self.walk(child)
                tokens.append(CLOSE)
            elif kind is str:
                if value:
                    tokens.append(value)
            elif value is None or kind is cst.MaybeSentinel:
                if plan.mark_missing:
                    tokens.append(_MISSING)
            else:
                self.walk(value)

    def _number(self, node: cst.Integer | cst.Float | cst.Imaginary) -> None:
        self.literal(node.value, _NUMBERS[type(node)], node.value)

    def _attribute(self, node: cst.Attribute) -> None:
        self.tokens.append("#Attribute")
        self.walk(node.value)
        attr = node.attr.value
        self.members.append((len(self.tokens), attr, ".{}"))
        self.tokens.append("." + attr)

    def _suite(self, node: cst.IndentedBlock | cst.SimpleStatementSuite) -> None:
        self.block(node.body)

    def block(self, statements: Sequence[cst.CSTNode]) -> None:
        """Statements of a suite, however they were split over lines, then `)`."""
        for statement in statements:
            smalls: Sequence[cst.CSTNode] | None = None
            if type(statement) is cst.SimpleStatementLine:
                smalls = statement.body
            elif isinstance(statement, cst.BaseSmallStatement):
                smalls = (statement,)  # a def's body comes flattened (`shape._body`)
            if smalls is not None:
                for small in smalls:
                    start = len(self.tokens)
                    self.walk(small)
                    if self._recording:
                        check = _is_check(small)  # type: ignore[arg-type]
                        self.steps.append((start, len(self.tokens), check))
            elif self._recording and type(statement) is cst.With and _expects_raise(statement):
                self.walk(statement)  # the block's statements are the act
                position = len(self.tokens)
                self.steps.append((position, position, True))
                self.raised.append((position, _expected(statement)))
            else:
                self.walk(statement)
        self.tokens.append(CLOSE)

    def function(self, node: cst.FunctionDef, statements: Sequence[cst.CSTNode]) -> None:
        """Decorators, async, parameters, return annotation and `statements`; not the name.
        Decorators that only say when the test runs (`skip_decorator`) are left out: a
        copy of a test skipped on old Pythons is still a copy."""
        for decorator in node.decorators:
            if skip_decorator(decorator.decorator):
                continue
            self.walk(decorator.decorator)
        self.tokens.append(CLOSE)
        if node.asynchronous is not None:
            self.tokens.append("#async")
        self.walk(node.params)
        if node.returns is not None:
            self.walk(node.returns.annotation)
        self.block(statements)

    def _nested(self, node: cst.FunctionDef) -> None:
        """A def inside the def: its name is a local the body may call."""
        self.tokens.append("#FunctionDef")
        name = node.name.value
        self.bound.add(name)
        self.names.append(len(self.tokens))
        self.tokens.append(name)
        recording, self._recording = self._recording, False
        try:
            self.function(node, node.body.body)
        finally:
            self._recording = recording

    def bind(self, target: object) -> None:
        """Record the names a binding target binds (through tuples, lists, stars, `as`)."""
        if type(target) is cst.Name:
            self.bound.add(target.value)
        elif isinstance(target, cst.AsName):
            self.bind(target.name)
        elif isinstance(target, cst.Tuple | cst.List):
            for element in target.elements:
                self.bind(element.value)
        elif isinstance(target, cst.StarredElement):
            self.bind(target.value)

    def _arg(self, node: cst.Arg) -> None:
        self.tokens.append("#Arg" + node.star)
        if node.keyword is not None:
            keyword = node.keyword.value
            self.members.append((len(self.tokens), keyword, "{}="))
            self.tokens.append(keyword + "=")
        self.walk(node.value)

    def _string(self, node: cst.SimpleString) -> None:
        prefix = node.prefix
        quote = node.quote
        inner = node.value[len(prefix) + len(quote) : -len(quote)]
        lowered = prefix.lower()
        placeholder = "<bytes>" if "b" in lowered else "<str>"
        self.literal(f"{lowered}'{inner}'", placeholder, node.value)

    def _whole_string(
        self, node: cst.ConcatenatedString | cst.FormattedString | cst.TemplatedString
    ) -> None:
        """An f-string, t-string or implicitly concatenated string: one literal, as written."""
        written = _CODEGEN.code_for_node(node.with_changes(lpar=(), rpar=()))
        parts: list[cst.BaseString] = [node]
        placeholder = "<str>"
        if isinstance(node, cst.TemplatedString):
            parts, placeholder = [], "<tstr>"
        while parts:
            part = parts.pop()
            if isinstance(part, cst.ConcatenatedString):
                parts += (part.left, part.right)
            elif isinstance(part, cst.FormattedString):
                placeholder = "<fstr>"
                break
            elif isinstance(part, cst.SimpleString) and "b" in part.prefix.lower():
                placeholder = "<bytes>"
        self.literal(written, placeholder, written)

    def _import(self, node: cst.Import | cst.ImportFrom) -> None:
        """An import inside the def whose every name is bound under an alias (``from
        docs_src.decimal import tutorial001_py310 as mod``): what it imports is data, one
        literal each, like a string naming a module; the alias is a name. Other imports
        are generic nodes."""
        aliases = node.names
        if isinstance(aliases, cst.ImportStar) or not all(a.asname for a in aliases):
            self.generic(node, _PLANS.get(type(node)) or _plan(type(node)))
            return
        self.tokens.append("#" + type(node).__name__)
        module = ""
        if isinstance(node, cst.ImportFrom):
            dots = "." * len(node.relative)
            module = dots + (get_full_name_for_node(node.module) or "" if node.module else "")
        for alias in aliases:
            imported = get_full_name_for_node(alias.name) or ""
            written = f"{module}:{imported}" if module else imported
            self.literal(written, "<import>", written)
            asname = alias.asname
            assert asname is not None
            self.tokens.append("#AsName")
            self.walk(asname.name)
        self.tokens.append(CLOSE)

    def _unary(self, node: cst.UnaryOperation) -> None:
        """``-1`` is one literal; other unary operations are generic nodes."""
        operand = node.expression
        number = _NUMBERS.get(type(operand))
        if number is None or type(node.operator) is not cst.Minus:
            self.generic(node, _PLANS.get(cst.UnaryOperation) or _plan(cst.UnaryOperation))
            return
        value = "-" + operand.value  # type: ignore[attr-defined]
        self.literal(value, number, value)


SKIP_PREFIXES = ("skip", "xfail", "needs_", "requires_", "only_on")
"""Names of decorators that choose when a test runs (`pytest.mark.skipif(...)`,
`@needs_py310`, `@requires_postgres`), not what it does."""


def skip_decorator(expression: cst.BaseExpression) -> bool:
    """Whether a decorator only says when the test runs (see `SKIP_PREFIXES`)."""
    name = _terminal(expression.func if isinstance(expression, cst.Call) else expression)
    return name.lower().startswith(SKIP_PREFIXES)


CHECK_PREFIXES = ("assert", "check", "verify", "expect")
"""Names of calls that check as a statement (`self.assertEqual`, `check_paging(...)`)."""
RAISE_CHECKS = frozenset(
    {"raises", "warns", "deprecated_call", "assertRaises", "assertRaisesRegex", "assertWarns"}
)


def _terminal(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return ""


def _is_check(statement: cst.BaseSmallStatement) -> bool:
    """An `assert`, or a call of a checking function as a statement."""
    if isinstance(statement, cst.Assert):
        return True
    if not isinstance(statement, cst.Expr):
        return False
    value = statement.value
    if isinstance(value, cst.Await):
        value = value.expression
    return isinstance(value, cst.Call) and _terminal(value.func).lower().startswith(CHECK_PREFIXES)


def _expects_raise(statement: cst.With) -> bool:
    """``with pytest.raises(...)`` (or `warns`, `self.assertRaises`)."""
    return any(
        isinstance(item.item, cst.Call) and _terminal(item.item.func) in RAISE_CHECKS
        for item in statement.items
    )


def _expected(statement: cst.With) -> str:
    """``raises:ValueError``: what the block expects (the first argument's code)."""
    for item in statement.items:
        call = item.item
        if isinstance(call, cst.Call) and _terminal(call.func) in RAISE_CHECKS:
            first = call.args[0].value if call.args else None
            shown = cst.Module([]).code_for_node(first) if first is not None else ""
            return f"{_terminal(call.func)}:{shown}"
    return ""


_HANDLERS: dict[type[cst.CSTNode], Callable[..., None]] = {
    cst.Integer: TokenStream._number,
    cst.Float: TokenStream._number,
    cst.Imaginary: TokenStream._number,
    cst.SimpleString: TokenStream._string,
    cst.ConcatenatedString: TokenStream._whole_string,
    cst.FormattedString: TokenStream._whole_string,
    cst.TemplatedString: TokenStream._whole_string,
    cst.Attribute: TokenStream._attribute,
    cst.Arg: TokenStream._arg,
    cst.IndentedBlock: TokenStream._suite,
    cst.SimpleStatementSuite: TokenStream._suite,
    cst.UnaryOperation: TokenStream._unary,
    cst.FunctionDef: TokenStream._nested,
    cst.Import: TokenStream._import,
    cst.ImportFrom: TokenStream._import,
}
"""Node types that are not walked field by field."""
