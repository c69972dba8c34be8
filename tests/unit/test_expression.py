"""`-m`/`-k` expressions: parsed and evaluated as pytest's ``_pytest/mark/expression.py``
does (compared with pytest's own on the same matchers), plus the unknown third value."""

from __future__ import annotations

import itertools

import pytest
from _pytest.mark.expression import Expression as PytestExpression

from auditor.model.expression import ExpressionError, parse

EXPRESSIONS = [
    "slow",
    "not slow",
    "slow and db",
    "slow or db",
    "not slow and not db",
    "not (slow or db)",
    "slow and not db or web",
    "slow or db and web",
    "not not slow",
    "(slow)",
    "((slow or db) and (web or not db))",
    "test_a or TestB::test_c",
    "tests/unit and test_x.py",
    "a-b+c.d[1]",
    "notable",
    "ornery or andy",
    "  slow   and\tdb ",
]


@pytest.mark.parametrize("text", EXPRESSIONS)
def test_evaluates_as_pytest_does(text: str) -> None:
    ours = parse(text)
    theirs = PytestExpression.compile(text)
    idents = sorted({i.name for i in ours.identifiers()})
    for values in itertools.product([False, True], repeat=len(idents)):
        truth = dict(zip(idents, values, strict=True))

        def match(name: str, /, **_: object) -> bool:
            return truth[name]  # noqa: B023 - used in this iteration only

        assert ours.evaluate(lambda name, _kw: match(name)) == theirs.evaluate(match), truth


@pytest.mark.parametrize(
    "text", ["slow and", "(slow", "slow)", "not", "and slow", "slow db", "a $ b", "slow or or db"]
)
def test_refuses_what_pytest_refuses(text: str) -> None:
    with pytest.raises(ExpressionError):
        parse(text)
    with pytest.raises(Exception, match=r"."):
        PytestExpression.compile(text)


def test_empty_expression_is_false() -> None:
    assert parse("").evaluate(lambda name, kw: True) is False
    assert parse("   ").evaluate(lambda name, kw: True) is False


def test_marker_keyword_arguments() -> None:
    expression = parse("slow(reason='db', n=2, flag=True) and not fast")
    [slow, fast] = sorted(expression.identifiers(), key=lambda i: i.name, reverse=True)
    assert slow.name == "slow"
    assert slow.kwargs == (("reason", "db"), ("n", 2), ("flag", True))
    assert fast.kwargs == ()


def test_unknown_is_kleene_logic() -> None:
    def matcher(name: str, _: object) -> bool | None:
        return {"yes": True, "no": False}.get(name)

    assert parse("maybe").evaluate(matcher) is None
    assert parse("not maybe").evaluate(matcher) is None
    assert parse("no and maybe").evaluate(matcher) is False
    assert parse("yes and maybe").evaluate(matcher) is None
    assert parse("yes or maybe").evaluate(matcher) is True
    assert parse("no or maybe").evaluate(matcher) is None
    assert parse("not (yes or maybe)").evaluate(matcher) is False
