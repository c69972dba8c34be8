"""libcst def -> `Shape`: the def normalised for clone detection.

The def is flattened into a token stream by `auditor.parse.token_stream` (a walk over
the libcst tree that drops all formatting); the stream is then normalised three ways and
digested, and its renamed form cut into shingles by `auditor.parse.shingles`.

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
- Shingles are 5-grams of the renamed stream (see `auditor.parse.shingles`): the
  Jaccard similarity of two defs' shingle sets is what near-clone detection compares.
- Steps fingerprint the body's simple statements one by one, checks marked: two tests
  that share their arrange steps but do something else before they check (insert vs
  delete) are near in shingles and apart in steps (`auditor.analysis.near_clones`).
"""

from __future__ import annotations

import builtins
import hashlib
import zlib

import libcst as cst

from auditor.parse.shingles import shingles_of
from auditor.parse.summary import Shape
from auditor.parse.token_stream import CLOSE, TokenStream

__all__ = ["shape_of", "shingles_of"]

_SEP = "\x1f"
_KEPT = frozenset(n for n in dir(builtins) if not n.startswith("_")) | {"self", "cls"}
"""Free names the loose renaming keeps: ``len(x)`` is not ``sorted(x)``."""


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


def shape_of(node: cst.FunctionDef) -> Shape | None:
    """The shape of one def, or None when its body is trivial (see the module doc)."""
    statements = _body(node)
    if statements is None:
        return None
    stream = TokenStream()
    stream.function(node, statements)
    return _shape(stream)


def _shape(stream: TokenStream) -> Shape:
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
        size=len(exact) - exact.count(CLOSE),
        shingles=shingles_of(renamed),
        values=tuple(stream.values),
        loose=_digest(_loose(stream)),
        steps=_steps(stream, literals),
    )


def _steps(stream: TokenStream, literals: list[str]) -> tuple[int, ...]:
    """One fingerprint per simple statement: its tokens with literals abstracted and every
    bound name one ``$`` (so a name bound earlier in one test only shifts nothing), the
    low bit set for a check."""
    tokens = list(literals)
    bound = stream.bound
    for position in stream.names:
        if tokens[position] in bound:
            tokens[position] = "$"
    expected = dict(stream.raised)
    found: list[int] = []
    for start, end, check in stream.steps:
        text = _SEP.join(tokens[start:end]) if end > start else expected.get(start, "")
        digest = zlib.crc32(text.encode())
        found.append((digest & ~1) | int(check))
    return tuple(found)


def _loose(stream: TokenStream) -> list[str]:
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
