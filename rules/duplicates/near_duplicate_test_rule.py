"""TA504 near-duplicate-test."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.api import Finding, Invalid, Rule, Severity, SuiteView, Valid

from ._common import other_operation, percent, where

CHECKOUT = """\
def test_checkout(client, cart):
    response = client.post("/carts", json={"items": [1, 2, 3]})
    assert response.status_code == 201
    body = response.json()
    assert body["items"] == [1, 2, 3]
    assert body["currency"] == "EUR"
    total = cart.total(discount=0.5)
    assert total == 42
    assert cart.count() == 3
    assert cart.is_open()
"""

CHECKOUT_AND_CLOSE = """\
def test_checkout_then_close(client, cart):
    response = client.post("/carts", json={"items": [1, 2, 3]})
    assert response.status_code == 201
    body = response.json()
    assert body["items"] == [1, 2, 3]
    assert body["currency"] == "EUR"
    total = cart.total(discount=0.5)
    assert total == 42
    assert cart.count() == 3
    assert cart.is_open()
    cart.close()
    assert not cart.is_open()
"""

REFUNDS = """\
import pytest


@pytest.fixture
def paid_order(orders, customer):
    return orders.create(customer, items=["book", "pen"], paid=True)


def test_full_refund(client, paid_order, ledger):
    response = client.post(f"/orders/{paid_order.id}/refund", json={"amount": "all"})
    assert response.status_code == 200
    refund = response.json()
    assert refund["amount"] == paid_order.total
    assert refund["state"] == "done"
    assert ledger.balance(paid_order.customer) == 0
    assert paid_order.refresh().state == "refunded"


def test_refund_mails_customer(client, paid_order, ledger):
    response = client.post(f"/orders/{paid_order.id}/refund", json={"amount": "all"})
    assert response.status_code == 200
    refund = response.json()
    assert refund["amount"] == paid_order.total
    assert refund["state"] == "done"
    assert ledger.balance(paid_order.customer) == 0
    assert paid_order.refresh().state == "refunded"
    assert ledger.mailed(paid_order.customer)
"""

AGGREGATES = """\
class TestGroupCount:
    def test_count_on_insert(self, session, User, Group):
        user = User(name="John Matrix")
        session.add(user)
        session.commit()
        group = Group(name="Some group", users=[user])
        session.add(group)
        session.commit()
        session.refresh(user)
        assert user.group_count == 1

    def test_count_on_delete(self, session, User, Group):
        user = User(name="John Matrix")
        session.add(user)
        session.commit()
        group = Group(name="Some group", users=[user])
        session.add(group)
        session.commit()
        user.groups = []
        session.commit()
        session.refresh(user)
        assert user.group_count == 0
"""

SHIPPING = """\
def test_ship_order(client, paid_order, warehouse):
    response = client.post(f"/orders/{paid_order.id}/ship", json={"carrier": "ups"})
    assert response.status_code == 202
    shipment = response.json()
    assert shipment["carrier"] == "ups"
    assert warehouse.reserved(paid_order.items) == []
    assert paid_order.refresh().state == "shipped"


def test_cancel_order(client, paid_order, mailer):
    response = client.delete(f"/orders/{paid_order.id}")
    assert response.status_code == 204
    assert mailer.sent_to(paid_order.customer.email)
    assert paid_order.refresh().state == "cancelled"
    assert paid_order.refresh().cancelled_at is not None
"""


class NearDuplicateTest(Rule):
    """
    ## What it does
    Finds tests that are almost the same code (a type-3 near miss): after local names
    and literals are set aside, most of their token sequences are shared (a Jaccard
    similarity of their 5-token sequences of at least `duplicate-similarity`, 70% by
    default), with a statement or two added or changed. Tests of fewer than 40 tokens
    are left out, and so are tests that share their arrange steps but do something else
    before they check: more than half of the checks of one must be checks of the other,
    made after the same statements (an `assert`, a call of an `assert*`/`check*`
    function, a `pytest.raises` block), else the two test different operations
    (insert vs delete, add vs remove) and are not reported; nor are tests whose steps
    call another method of the same object in each other's place (`client.get` where
    the other has `client.delete`, `query.filter` / `query.annotate`): the same steps
    around two operations, as in one test class per endpoint. Nor are tests that request
    other fixtures (`no_mysql_dburl` where the other takes `dburl`): they run in
    another setup, which one parametrized test cannot take over. Nor are tests whose
    checks, values and names included, are mostly other checks (`res["enum"] == enum`
    where the other has `res["description"] == text`, a count of 3 where the other
    expects 4): alike steps that compare other values test two behaviours of one shape.
    Tests that expect an exception may differ in the values they check: bad inputs and
    their messages are the rows of one table. Nor are tests each in a class or module
    named for the object it reads (as in `duplicate-test`, TA501). The first test of a
    group is the reference; each other one is reported with its similarity.

    ## Why is this bad?
    A test copied and then edited a little repeats every step of the original: a change
    of those steps has to be made in each copy, and the one line that makes the copy
    different is hard to find among the repeated ones. Shared steps belong in a helper
    or a fixture, and differing values in a parametrized test.

    ## Example
    ```python
    def test_full_refund(client, paid_order, ledger):
        response = client.post(f"/orders/{paid_order.id}/refund", json={"amount": "all"})
        assert response.status_code == 200
        assert ledger.balance(paid_order.customer) == 0

    def test_refund_mails_customer(client, paid_order, ledger):
        response = client.post(f"/orders/{paid_order.id}/refund", json={"amount": "all"})
        assert response.status_code == 200
        assert ledger.balance(paid_order.customer) == 0
        assert ledger.mailed(paid_order.customer)
    ```
    Use instead:
    ```python
    @pytest.fixture
    def refunded(client, paid_order):
        response = client.post(f"/orders/{paid_order.id}/refund", json={"amount": "all"})
        assert response.status_code == 200
        return paid_order

    def test_full_refund(refunded, ledger):
        assert ledger.balance(refunded.customer) == 0

    def test_refund_mails_customer(refunded, ledger):
        assert ledger.mailed(refunded.customer)
    ```

    ## Options
    - `duplicate-similarity` (`[tool.test-auditor]`, a number in (0, 1]; default `0.7`):
      the Jaccard similarity of two tests' 5-token sequences from which they are near
      duplicates. Lower finds looser copies (and more noise); higher reports only
      copies that differ by a line or so.

    ## References
    - pytest, "How to parametrize fixtures and test functions":
      <https://docs.pytest.org/en/stable/how-to/parametrize.html>
    """

    code = "TA504"
    name = "near-duplicate-test"
    category = "duplicates"
    severity = Severity.INFO
    whole_suite = True

    VALID = (
        # the same steps on other endpoints, with other checks: different tests
        Valid(files={"tests/test_orders.py": SHIPPING}),
        # the same arrange steps, then another operation before a check of the same form
        # (insert vs delete): two tests of two behaviours
        Valid(files={"tests/test_aggregates.py": AGGREGATES}),
        # a renamed copy (TA501), not a near miss
        Valid(
            files={
                "tests/test_checkout.py": CHECKOUT,
                "tests/test_cart.py": CHECKOUT.replace("test_checkout", "test_cart_checkout")
                .replace("response", "resp")
                .replace("body", "data"),
            }
        ),
        # the same steps in another setup: a database the second test must avoid
        Valid(
            files={
                "tests/test_checkout.py": CHECKOUT,
                "tests/test_checkout_close.py": CHECKOUT_AND_CLOSE.replace(
                    "(client, cart)", "(client, cart_without_mysql)"
                ).replace("cart.", "cart_without_mysql."),
            }
        ),
        # near misses, but too short to tell a copy from two checks of one function
        Valid(
            "def test_total(cart):\n    cart.add(1)\n    assert cart.total() == 1\n\n\n"
            "def test_total_twice(cart):\n    cart.add(1)\n    cart.add(1)\n"
            "    assert cart.total() == 2\n"
        ),
    )
    INVALID = (
        Invalid(
            files={
                "tests/test_checkout.py": CHECKOUT,
                "tests/test_checkout_close.py": CHECKOUT_AND_CLOSE,
            },
            at=("tests/test_checkout_close.py:1:1",),
            message="test `test_checkout_then_close` is 87% similar to test `test_checkout` "
            "(tests/test_checkout.py:1): 2 near-identical tests",
        ),
        Invalid(
            files={"tests/test_refunds.py": REFUNDS},
            at=("tests/test_refunds.py:19:1",),
            message="test `test_refund_mails_customer` is 87% similar to test "
            "`test_full_refund` (tests/test_refunds.py:9)",
        ),
    )

    def check(self, suite: SuiteView) -> Iterator[Finding]:
        for group in suite.duplicates:
            if group.kind != "test" or group.clone != "near":
                continue
            first, *others = group.members
            # the same steps, but another method of the same object called in their place
            # (`client.patch` / `client.get`): tests of two operations, not one test's cases
            others = [m for m in others if other_operation(suite, first, m) is None]
            if not others:
                continue
            count = len(others) + 1
            suggestion = group.suggestion
            if count != len(group.members):
                suggestion = suggestion.replace(
                    f"{len(group.members)} near-identical", f"{count} near-identical", 1
                )
            least = "" if len(group.members) == 2 else "at least "
            for member in others:
                yield self.finding(
                    member.path,
                    member.line,
                    member.col,
                    f"test `{member.name}` is {least}{percent(group.similarity)} similar to "
                    f"test {where(first)}: {suggestion}",
                )
