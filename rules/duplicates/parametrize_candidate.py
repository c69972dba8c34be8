"""TA502 parametrize-candidate."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.api import Finding, Invalid, Rule, Severity, SuiteView, Valid

from ._common import clip, listing

DISCOUNTS = """\
def test_discount_gold(shop):
    assert shop.discount(100, "gold") == 80


def test_discount_silver(shop):
    assert shop.discount(100, "silver") == 90


def test_discount_none(shop):
    assert shop.discount(100, "none") == 100


def test_tax(shop):
    assert shop.tax(100) == 20
"""

SLUGIFY = """\
from blog.text import slugify


class TestSlugify:
    def test_spaces(self):
        assert slugify("Hello World") == "hello-world"

    def test_accents(self):
        assert slugify("Crème brûlée") == "creme-brulee"

    def test_punctuation(self):
        assert slugify("Hi, there!") == "hi-there"
"""

PARSE_SIZE = """\
import unittest

from storage.units import parse_size


class ParseSizeTest(unittest.TestCase):
    def test_kilobytes(self):
        self.assertEqual(parse_size("1KB"), 1024)

    def test_megabytes(self):
        self.assertEqual(parse_size("1MB"), 1048576)
"""


class ParametrizeCandidate(Rule):
    """
    ## What it does
    Finds tests that differ only in their literals (the same calls, the same names,
    other numbers and strings): the cases of one parametrized test, written out as
    separate functions. It is reported once, at the first of them, with the test to
    write instead: its name, its parameters and the values of each case.

    ## Why is this bad?
    Every copy repeats the steps, so a change to them is made once per case and a case
    is easily missed; a reader has to diff the bodies to see what the tests vary. One
    `@pytest.mark.parametrize` test states the steps once and the cases as a table,
    and a new case is one more line.

    ## Example
    ```python
    def test_discount_gold(shop):
        assert shop.discount(100, "gold") == 80

    def test_discount_silver(shop):
        assert shop.discount(100, "silver") == 90
    ```
    Use instead:
    ```python
    @pytest.mark.parametrize(
        ("tier", "price"), [("gold", 80), ("silver", 90)], ids=["gold", "silver"]
    )
    def test_discount(shop, tier, price):
        assert shop.discount(100, tier) == price
    ```

    ## References
    - pytest, "How to parametrize fixtures and test functions":
      <https://docs.pytest.org/en/stable/how-to/parametrize.html>
    """

    code = "TA502"
    name = "parametrize-candidate"
    category = "duplicates"
    severity = Severity.INFO
    whole_suite = True

    VALID = (
        # the same shape, but each test calls something else
        Valid(
            "def test_discount(shop):\n"
            '    assert shop.discount(100, "gold") == 80\n\n\n'
            "def test_tax(shop):\n"
            '    assert shop.tax(100, "gold") == 20\n\n\n'
            "def test_shipping(shop):\n"
            '    assert shop.shipping(100, "gold") == 0\n'
        ),
        # other literals, but also another fixture: not one test with cases
        Valid(
            "def test_admin_role(admin):\n"
            '    assert admin.role == "admin"\n\n\n'
            "def test_guest_role(guest):\n"
            '    assert guest.role == "guest"\n'
        ),
        # the same literals: a copy (TA501), nothing to parametrize
        Valid(
            files={
                "tests/test_shop.py": "def test_discount_gold(shop):\n"
                '    assert shop.discount(100, "gold") == 80\n\n\n'
                "def test_tax(shop):\n"
                "    assert shop.tax(100) == 20\n",
                "tests/test_checkout.py": "def test_gold_discount(shop):\n"
                '    assert shop.discount(100, "gold") == 80\n',
            }
        ),
    )
    INVALID = (
        Invalid(
            files={"tests/test_shop.py": DISCOUNTS},
            at=("tests/test_shop.py:1:1",),
            message="test `test_discount_gold` and 2 more tests differ only in literals: "
            "parametrize as `test_discount(shop, value, value_2)` over 3 cases "
            '(value: "gold", "silver", "none"; value_2: 80, 90, 100)',
        ),
        Invalid(
            files={"tests/test_slugify.py": SLUGIFY},
            at=("tests/test_slugify.py:5:5",),
            message="; one test replaces these 3 (the others: `test_accents` "
            "(tests/test_slugify.py:8), `test_punctuation` (tests/test_slugify.py:11))",
        ),
        Invalid(
            files={"tests/test_units.py": PARSE_SIZE},
            at=("tests/test_units.py:7:5",),
            message="looping over 2 cases with `self.subTest`",
        ),
    )

    def check(self, suite: SuiteView) -> Iterator[Finding]:
        for group in suite.duplicates:
            if group.kind != "test" or group.clone != "parametrize":
                continue
            first, *others = group.members
            count = len(group.members)
            yield self.finding(
                first.path,
                first.line,
                first.col,
                f"test `{first.name}` and {count - 1} more test{'s' if count > 2 else ''} "
                f"differ only in literals: {clip(group.suggestion)}; one test replaces these "
                f"{count} (the others: {listing(others)})",
            )
