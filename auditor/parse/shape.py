"""libcst def -> `Shape`: the def normalised for clone detection.

The def is flattened into a token stream by a hand-written walk over the libcst tree
(not its text): a node emits its type name (``#Call``: no identifier looks like it),
then its children field by field. Formatting never reaches the stream: whitespace,
comments, blank lines, parentheses and brackets, commas, semicolons, how statements are
split over lines (``a; b`` equals two lines, ``if x: y`` the indented form), string
quote style. A sequence (a block, a call's arguments, a list's elements) is closed by
``)`` so that ``f(a, g(b), c)`` and ``f(a, g(b, c))`` differ. The walk reads the
dataclass fields of each node type directly: libcst's visitors and ``node.children``
rebuild every node they pass and cost ten times as much.

Decisions, and why:

- The def's own name is never part of the shape (clones are the same code under two
  names). Its decorators, ``async``, parameters (the fixtures it requests), return
  annotation and body are. Decorators are kept because a ``parametrize`` list is the
  test's data: two tests with the same body and different parameter lists differ only
  in literals (a parametrize candidate), not exactly.
- The docstring (the first statement, when it is a bare string) is dropped; a body that
  is then empty, ``pass``, ``...`` or ``raise NotImplementedError(...)`` has no shape
  (`shape_of` returns None): placeholders would all be "clones" of one another.
- Literals are ints, floats, imaginaries, strings and bytes (an implicitly concatenated
  string is one literal), ``True``/``False``, a negative number (``-1`` is one literal,
  not a minus applied to ``1``) and an f-string, taken whole as one literal of its own
  kind (its inner names are not renamed).
- The `renamed` stream renames only names the def binds (to ``$0``, ``$1``... in order
  of first appearance): parameters, assignment, ``for``, ``with ... as``,
  ``except ... as``, walrus and comprehension targets, nested defs and classes. Free
  names (called functions, classes, modules, builtins), attribute names and keyword
  argument names are kept: ``client.get(url)`` and ``client.post(url)``, or
  ``assert isprime(7)`` and ``assert factorint(7)``, are different tests, and renaming
  them would make type-2 groups of unrelated code.
- The `loose` stream renames every identifier (names, attribute and keyword names, in
  one namespace, by first appearance) but builtins and ``self``/``cls``, and makes every
  literal one ``<lit>``: ``Customer(email=...)`` ... ``loaded.email`` and
  ``Plan(code=...)`` ... ``stored.code`` are one code over other objects. Short code of
  one common form is all alike this way, so `auditor.analysis.duplicates` uses it only from a
  larger size.
- Shingles are 5-grams of the renamed stream, hashed from crc32 token ids by a fixed
  polynomial: stable across runs and processes (Python's ``hash()`` is salted). A
  repeated gram is hashed with its repetition number (up to `MAX_REPEATS`), so the
  Jaccard similarity of two shingle sets is close to that of the multisets of grams.
"""

from __future__ import annotations

import builtins
import dataclasses
import hashlib
import zlib
from collections.abc import Callable, Sequence

import libcst as cst

from auditor.parse.summary import Shape

K = 5
"""Tokens per shingle."""
MAX_VALUES = 32
"""Literal values kept, in source order, for the parametrize suggestion."""
MAX_REPEATS = 4
"""Occurrences of one k-gram that count as distinct shingles. 1 gives plain sets: on
sympy 1.44M shingles instead of 2.26M (about 35 MB less in memory, 5 MB less cache) and
near groups of about the same quality (`auditor.analysis.duplicates` compares `size` too)."""

_CLOSE = ")"
_MISSING = "_"
_SEP = "\x1f"
_BASE = 1_000_003
_MASK = 0xFFFFFFFF
_REPEAT = 0x9E3779B9
_ODD = 0x85EBCA6B
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
_KEPT = frozenset(n for n in dir(builtins) if not n.startswith("_")) | {"self", "cls"}
"""Free names the loose renaming keeps: ``len(x)`` is not ``sorted(x)``."""
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
_TOKEN_IDS: dict[str, int] = {}


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


class _Stream:
    """The tokens of one def, with the positions of its literals and names."""

    __slots__ = ("bound", "literals", "members", "names", "tokens", "values")

    def __init__(self) -> None:
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
                tokens.append(_CLOSE)
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
            if type(statement) is cst.SimpleStatementLine:
                for small in statement.body:
                    self.walk(small)
            else:
                self.walk(statement)
        self.tokens.append(_CLOSE)

    def function(self, node: cst.FunctionDef, statements: Sequence[cst.CSTNode]) -> None:
        """Decorators, async, parameters, return annotation and `statements`; not the name."""
        for decorator in node.decorators:
            self.walk(decorator.decorator)
        self.tokens.append(_CLOSE)
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
        self.function(node, node.body.body)

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

    def _unary(self, node: cst.UnaryOperation) -> None:
        """``-1`` is one literal; other unary operations are generic nodes."""
        operand = node.expression
        number = _NUMBERS.get(type(operand))
        if number is None or type(node.operator) is not cst.Minus:
            self.generic(node, _PLANS.get(cst.UnaryOperation) or _plan(cst.UnaryOperation))
            return
        value = "-" + operand.value  # type: ignore[attr-defined]
        self.literal(value, number, value)


_HANDLERS: dict[type[cst.CSTNode], Callable[..., None]] = {
    cst.Integer: _Stream._number,
    cst.Float: _Stream._number,
    cst.Imaginary: _Stream._number,
    cst.SimpleString: _Stream._string,
    cst.ConcatenatedString: _Stream._whole_string,
    cst.FormattedString: _Stream._whole_string,
    cst.TemplatedString: _Stream._whole_string,
    cst.Attribute: _Stream._attribute,
    cst.Arg: _Stream._arg,
    cst.IndentedBlock: _Stream._suite,
    cst.SimpleStatementSuite: _Stream._suite,
    cst.UnaryOperation: _Stream._unary,
    cst.FunctionDef: _Stream._nested,
}
"""Node types that are not walked field by field."""


def _is_docstring(statement: cst.BaseSmallStatement) -> bool:
    return isinstance(statement, cst.Expr) and isinstance(
        statement.value, cst.SimpleString | cst.ConcatenatedString
    )


def _trivial(statement: cst.BaseSmallStatement) -> bool:
    """``pass``, ``...`` or ``raise NotImplementedError(...)``: a placeholder."""
    if isinstance(statement, cst.Pass):
        return True
    if isinstance(statement, cst.Expr):
        return isinstance(statement.value, cst.Ellipsis)
    if isinstance(statement, cst.Raise):
        raised = statement.exc
        if isinstance(raised, cst.Call):
            raised = raised.func
        return isinstance(raised, cst.Name) and raised.value == "NotImplementedError"
    return False


def _body(node: cst.FunctionDef) -> list[cst.CSTNode] | None:
    """The body's statements without the docstring, or None when nothing is left but
    ``pass`` and ``...``."""
    statements: list[cst.CSTNode] = []
    body = node.body
    if isinstance(body, cst.SimpleStatementSuite):
        statements.extend(body.body)
    else:
        for statement in body.body:
            if isinstance(statement, cst.SimpleStatementLine):
                statements.extend(statement.body)
            else:
                statements.append(statement)
    if statements and _is_docstring(statements[0]):  # type: ignore[arg-type]
        del statements[0]
    if all(_trivial(s) for s in statements):  # type: ignore[arg-type]
        return None
    return statements


def _digest(tokens: list[str]) -> str:
    return hashlib.blake2b(_SEP.join(tokens).encode(), digest_size=16).hexdigest()


def _token_id(token: str) -> int:
    value = _TOKEN_IDS.get(token)
    if value is None:
        if len(_TOKEN_IDS) > 1_000_000:
            _TOKEN_IDS.clear()
        value = _TOKEN_IDS[token] = zlib.crc32(token.encode("utf-8", "surrogatepass"))
    return value


def shingles_of(tokens: Sequence[str], k: int = K) -> tuple[int, ...]:
    """Sorted unique 32-bit hashes of the k-grams of `tokens` (one gram if shorter).

    The 2nd to `MAX_REPEATS`-th occurrences of a k-gram hash differently from the first,
    so the set stands for the multiset of k-grams (counts capped to bound its size): the
    same two asserts repeated 5 + 5 and 8 + 2 times are not near clones."""
    ids = [_TOKEN_IDS.get(t) or _token_id(t) for t in tokens]
    if len(ids) <= k:
        value = 0
        for i in ids:
            value = (value * _BASE + i) & _MASK
        return (value,) if ids else ()
    power = pow(_BASE, k - 1, _MASK + 1)
    value = 0
    for i in ids[:k]:
        value = (value * _BASE + i) & _MASK
    seen = {value: 1}
    for out, new in zip(ids, ids[k:], strict=False):
        value = ((value - out * power) * _BASE + new) & _MASK
        seen[value] = seen.get(value, 0) + 1
    grams = set(seen)
    for value, count in seen.items():
        for repeat in range(1, min(count, MAX_REPEATS)):
            grams.add(((value ^ (repeat * _REPEAT)) * _ODD) & _MASK)
    return tuple(sorted(grams))


def shape_of(node: cst.FunctionDef) -> Shape | None:
    """The shape of one def, or None when its body is trivial (see the module doc)."""
    statements = _body(node)
    if statements is None:
        return None
    stream = _Stream()
    stream.function(node, statements)
    return _shape(stream)


def _shape(stream: _Stream) -> Shape:
    exact = stream.tokens
    literals = list(exact)
    for position, placeholder in stream.literals:
        literals[position] = placeholder
    renamed = list(literals)
    bound = stream.bound
    names: dict[str, str] = {}
    for position in stream.names:
        name = exact[position]
        if name in bound:
            new = names.get(name)
            if new is None:
                new = names[name] = f"${len(names)}"
            renamed[position] = new
    return Shape(
        exact=_digest(exact),
        literals=_digest(literals),
        renamed=_digest(renamed),
        size=len(exact) - exact.count(_CLOSE),
        shingles=shingles_of(renamed),
        values=tuple(stream.values),
        loose=_digest(_loose(stream)),
    )


def _loose(stream: _Stream) -> list[str]:
    """The stream with every literal one ``<lit>`` (``slug="a"`` and ``seats=10`` are
    alike) and every identifier renamed by first appearance, in one namespace: names,
    attribute names and keyword names (``Customer(email=e)`` then ``loaded.email`` is
    ``$1($2=$3)`` then ``$4.$2``). Builtins (``len``, ``None``, ``ValueError``) and
    ``self``/``cls`` keep their names unless the def binds them (attribute and keyword
    names are always renamed: ``.id`` is no builtin)."""
    tokens = stream.tokens
    loose = list(tokens)
    for position, _ in stream.literals:
        loose[position] = "<lit>"
    bound = stream.bound
    found = [
        (p, tokens[p], "{}") for p in stream.names if tokens[p] not in _KEPT or tokens[p] in bound
    ]
    found += stream.members
    found.sort()
    canonical: dict[str, str] = {}
    for position, name, form in found:
        new = canonical.get(name)
        if new is None:
            new = canonical[name] = f"${len(canonical)}"
        loose[position] = form.format(new)
    return loose
