"""pytest's `-m` and `-k` expressions, parsed and evaluated without pytest.

The grammar is that of pytest's ``_pytest/mark/expression.py`` (7.4 to 9):

    expression: expr? EOF
    expr:       and_expr ('or' and_expr)*
    and_expr:   not_expr ('and' not_expr)*
    not_expr:   'not' not_expr | '(' expr ')' | ident kwargs?
    ident:      (\\w|:|\\+|-|\\.|\\[|\\]|\\\\|/)+
    kwargs:     '(' name '=' value ( ',' name '=' value )* ')'

As there, whitespace separates tokens and is otherwise ignored; ``or``, ``and`` and
``not`` are keywords only as whole tokens (``notable`` is an identifier); ``not`` binds
tighter than ``and``, which binds tighter than ``or``; an empty expression is false (the
callers, like pytest's ``deselect_by_keyword``/``deselect_by_mark``, skip an empty one).
The keyword arguments of a marker (``-m "slow(reason='db')"``, pytest 8.3 and later) are
parsed the same way: a value is a quoted string, an integer or ``True``/``False``/``None``.

Evaluation takes a matcher that answers each identifier with True, False or None, the
last meaning *unknown* (a parametrize id the static model cannot spell). The logic is
then Kleene's: ``not unknown`` is unknown, ``False and unknown`` is False, ``True or
unknown`` is True. A caller deselects a test only when the whole expression is False.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

Matcher = Callable[[str, "tuple[tuple[str, object], ...]"], "bool | None"]
"""Answers an identifier (with the keyword arguments written after it, if any)."""

_IDENT = re.compile(r"(:?\w|:|\+|-|\.|\[|\]|\\|/)+")
_STRING = re.compile(r"""'[^']*'|"[^"]*\"""")
_KEYWORDS = frozenset({"and", "or", "not"})


class ExpressionError(ValueError):
    """An expression pytest would refuse (its ``ParseError``: a usage error)."""

    def __init__(self, column: int, message: str) -> None:
        super().__init__(f"at column {column}: {message}")
        self.column = column


@dataclass(frozen=True, slots=True)
class Ident:
    name: str
    kwargs: tuple[tuple[str, object], ...] = ()

    def evaluate(self, matcher: Matcher) -> bool | None:
        return matcher(self.name, self.kwargs)


@dataclass(frozen=True, slots=True)
class Not:
    operand: Node

    def evaluate(self, matcher: Matcher) -> bool | None:
        value = self.operand.evaluate(matcher)
        return None if value is None else not value


@dataclass(frozen=True, slots=True)
class And:
    operands: tuple[Node, ...]

    def evaluate(self, matcher: Matcher) -> bool | None:
        unknown = False
        for operand in self.operands:
            value = operand.evaluate(matcher)
            if value is False:
                return False
            unknown = unknown or value is None
        return None if unknown else True


@dataclass(frozen=True, slots=True)
class Or:
    operands: tuple[Node, ...]

    def evaluate(self, matcher: Matcher) -> bool | None:
        unknown = False
        for operand in self.operands:
            value = operand.evaluate(matcher)
            if value is True:
                return True
            unknown = unknown or value is None
        return None if unknown else False


@dataclass(frozen=True, slots=True)
class Empty:
    def evaluate(self, matcher: Matcher) -> bool | None:
        return False


Node = Ident | Not | And | Or | Empty


@dataclass(frozen=True, slots=True)
class Expression:
    """A parsed `-m`/`-k` expression (`text` as written)."""

    text: str
    root: Node

    def evaluate(self, matcher: Matcher) -> bool | None:
        return self.root.evaluate(matcher)

    def identifiers(self) -> Iterator[Ident]:
        stack: list[Node] = [self.root]
        while stack:
            node = stack.pop()
            if isinstance(node, Ident):
                yield node
            elif isinstance(node, Not):
                stack.append(node.operand)
            elif isinstance(node, And | Or):
                stack.extend(node.operands)


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "(", ")", ",", "=", "ident", "string", "and", "or", "not", "eof"
    value: str
    column: int


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        char = text[position]
        if char.isspace():
            position += 1
        elif char in "(),=":
            tokens.append(_Token(char, char, position + 1))
            position += 1
        elif char in "'\"":
            string = _STRING.match(text, position)
            if string is None:
                raise ExpressionError(position + 1, f"closing quote {char!r} is missing")
            tokens.append(_Token("string", string.group()[1:-1], position + 1))
            position = string.end()
        else:
            ident = _IDENT.match(text, position)
            if ident is None:
                raise ExpressionError(position + 1, f'unexpected character "{char}"')
            value = ident.group()
            tokens.append(_Token(value if value in _KEYWORDS else "ident", value, position + 1))
            position = ident.end()
    tokens.append(_Token("eof", "", len(text) + 1))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.position = 0

    @property
    def current(self) -> _Token:
        return self.tokens[self.position]

    def accept(self, kind: str) -> _Token | None:
        token = self.current
        if token.kind != kind:
            return None
        self.position += 1
        return token

    def expect(self, *kinds: str) -> _Token:
        token = self.current
        if token.kind not in kinds:
            wanted = " OR ".join(kinds)
            raise ExpressionError(token.column, f"expected {wanted}; got {token.kind}")
        self.position += 1
        return token

    def expression(self) -> Node:
        if self.accept("eof"):
            return Empty()
        node = self.expr()
        self.expect("eof")
        return node

    def expr(self) -> Node:
        operands = [self.and_expr()]
        while self.accept("or"):
            operands.append(self.and_expr())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def and_expr(self) -> Node:
        operands = [self.not_expr()]
        while self.accept("and"):
            operands.append(self.not_expr())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def not_expr(self) -> Node:
        if self.accept("not"):
            return Not(self.not_expr())
        if self.accept("("):
            node = self.expr()
            self.expect(")")
            return node
        name = self.expect("ident", "not", "(").value
        kwargs: list[tuple[str, object]] = []
        if self.accept("("):
            while True:
                key = self.expect("ident").value
                self.expect("=")
                kwargs.append((key, self.value()))
                if not self.accept(","):
                    break
            self.expect(")")
        return Ident(name, tuple(kwargs))

    def value(self) -> object:
        token = self.expect("ident", "string")
        if token.kind == "string":
            return token.value
        constants: dict[str, object] = {"True": True, "False": False, "None": None}
        if token.value in constants:
            return constants[token.value]
        try:
            return int(token.value)
        except ValueError:
            raise ExpressionError(token.column, f"unexpected character/s {token.value!r}") from None


def parse(text: str) -> Expression:
    """Parse an expression as pytest does; `ExpressionError` where pytest refuses it."""
    return Expression(text, _Parser(text).expression())
