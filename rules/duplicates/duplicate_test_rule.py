"""TA501 duplicate-test."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.api import DuplicateGroup, Finding, Invalid, Member, Rule, Severity, SuiteView, Valid

from ._common import literal_values, locals_only, other_file_objects, plural, where

CONFTEST = """\
import pytest

from billing.catalog import load_catalog


@pytest.fixture
def plan_catalog():
    return load_catalog("plans.toml")
"""

PRICING = """\
from billing.pricing import annual_price, monthly_price


def test_annual_price_two_months_free(plan_catalog):
    # ten months for the price of twelve
    plan = plan_catalog["pro"]
    assert annual_price(plan) == monthly_price(plan) * 10
"""

PRORATION = '''\
from billing.pricing import annual_price, monthly_price
from billing.proration import prorate


def test_prorate_half_month(plan_catalog):
    assert prorate(plan_catalog["pro"], days=15) == 1450


def test_yearly_billing_discount(plan_catalog):
    """Yearly billing costs ten months."""
    plan = plan_catalog["pro"]

    assert annual_price(plan) == monthly_price(plan) * 10  # two months free
'''

CHECKOUT = """\
def test_checkout_in_euros(client, cart):
    response = client.post("/carts", json={"items": [1, 2, 3], "currency": "EUR"})
    assert response.status_code == 201
    body = response.json()
    assert body["items"] == [1, 2, 3]
    assert body["currency"] == "EUR"
    assert cart.total() == 42


def test_checkout_in_dollars(client, cart):
    resp = client.post("/carts", json={"items": [1, 2, 3], "currency": "USD"})
    assert resp.status_code == 201
    data = resp.json()
    assert data["items"] == [1, 2, 3]
    assert data["currency"] == "USD"
    assert cart.total() == 45
"""

SIGNUP = """\
def test_signup_sends_welcome_mail(client, outbox):
    response = client.post("/signup", json={"email": "ada@example.com"})
    assert response.status_code == 201
    user = response.json()
    assert user["email"] == "ada@example.com"
    assert len(outbox) == 1
    assert outbox[0].to == "ada@example.com"
"""

SIGNUP_RENAMED = """\
def test_new_user_gets_welcome_mail(client, outbox):
    reply = client.post("/signup", json={"email": "ada@example.com"})
    assert reply.status_code == 201
    created = reply.json()
    assert created["email"] == "ada@example.com"
    assert len(outbox) == 1
    assert outbox[0].to == "ada@example.com"
"""

INVOICES = """\
def test_create_invoice(client, customer):
    response = client.post("/invoices", json={"customer": customer.id})
    assert response.status_code == 201
    body = response.json()
    assert body["customer"] == customer.id
    assert body["status"] == "draft"
    assert customer.invoices.count() == 1


def test_void_invoice(client, customer):
    response = client.delete("/invoices", json={"customer": customer.id})
    assert response.status_code == 204
    body = response.json()
    assert body["customer"] == customer.id
    assert body["status"] == "void"
    assert customer.invoices.voided().count() == 1
"""

DISCOUNTS = """\
def test_discount_gold(shop):
    assert shop.discount(100, "gold") == 80


def test_discount_silver(shop):
    assert shop.discount(100, "silver") == 90
"""

ROUNDTRIPS = """\
def test_customer_roundtrip(session):
    customer = Customer(email="ann@example.test", slug="ann-lee")
    session.add(customer)
    session.flush()
    loaded = session.get(Customer, customer.id)
    assert loaded is not None
    assert loaded.email == "ann@example.test"
    assert loaded.slug == "ann-lee"


def test_plan_roundtrip(session):
    plan = Plan(code="team", seats=10)
    session.add(plan)
    session.flush()
    stored = session.get(Plan, plan.id)
    assert stored is not None
    assert stored.code == "team"
    assert stored.seats == 10
"""

ACCOUNTS = """\
class TestAdminAccount:
    def test_can_log_in(self, client, account):
        response = client.post("/login", json={"name": account.name})
        assert response.status_code == 200


class TestGuestAccount:
    def test_can_log_in(self, client, account):
        response = client.post("/login", json={"name": account.name})
        assert response.status_code == 200
"""


class DuplicateTest(Rule):
    """
    ## What it does
    Finds a test whose code is a copy of another test: the same code up to formatting,
    comments and the docstring (an exact, type-1 clone), or up to the names of its local
    variables and its literals (a renamed, type-2 clone, of at least 40 tokens), or, in
    tests of at least 50 tokens, up to every name: the same steps over other functions,
    classes and attributes. Each copy is reported at its `def`, naming the test it
    repeats; the first of a group (by path and line) is the one to keep. Copies that
    read names resolving to other things are never "to delete": other fixtures, other
    imported objects, or, across two files, a module-level name built from each file's
    own class (`ExampleCreate = Example.schema()` after each file's `class Example`).
    Copies over other objects in classes or modules each named for the object it reads
    (`TestRangeFilter` over `RangeFilter` and `TestIsoRangeFilter` over
    `IsoRangeFilter`; `test_source_json.py` over `JsonSource` and `test_source_yaml.py`
    over `YamlSource`) are not reported: a suite laid out one class or module per
    subject tests each subject on purpose.

    ## Why is this bad?
    A copied test runs the same check twice: it costs run time and, worse, every change
    of the behaviour must be made twice, and the copies drift apart until nobody knows
    which one is right. A renamed copy that only changes literals is a parametrized test
    written out by hand: one test with one case per value says the same and shows what
    varies.

    ## Example
    ```python
    def test_checkout_in_euros(client):
        response = client.post("/carts", json={"currency": "EUR"})
        assert response.status_code == 201
        assert response.json()["currency"] == "EUR"

    def test_checkout_in_dollars(client):
        resp = client.post("/carts", json={"currency": "USD"})
        assert resp.status_code == 201
        assert resp.json()["currency"] == "USD"
    ```
    Use instead:
    ```python
    @pytest.mark.parametrize("currency", ["EUR", "USD"])
    def test_checkout(client, currency):
        response = client.post("/carts", json={"currency": currency})
        assert response.status_code == 201
        assert response.json()["currency"] == currency
    ```

    ## References
    - pytest, "How to parametrize fixtures and test functions":
      <https://docs.pytest.org/en/stable/how-to/parametrize.html>
    """

    code = "TA501"
    name = "duplicate-test"
    category = "duplicates"
    severity = Severity.WARNING
    whole_suite = True

    VALID = (
        # the same structure, but other calls and other checks: two different tests
        Valid(INVOICES),
        # only literals differ: a parametrize candidate (TA502), not a copy
        Valid(DISCOUNTS),
        Valid(
            files={
                "tests/conftest.py": CONFTEST,
                "tests/unit/test_pricing.py": PRICING,
                # the same check as a helper (not a test) in another module
                "tests/unit/test_plans.py": PRICING.replace(
                    "def test_annual_price_two_months_free", "def check_annual_price"
                )
                + "\n\ndef test_pro_plan(plan_catalog):\n"
                "    check_annual_price(plan_catalog)\n",
            }
        ),
        # the same steps over two docs modules: two tests, one per tutorial
        Valid(
            files={
                "docs/__init__.py": "",
                "docs/tutorial001.py": "def main():\n    return 1\n",
                "docs/tutorial002.py": "def main():\n    return 2\n",
                "tests/test_tutorial001.py": "from docs import tutorial001 as mod\n\n\n"
                "def test_tutorial():\n    assert mod.main()\n",
                "tests/test_tutorial002.py": "from docs import tutorial002 as mod\n\n\n"
                "def test_tutorial():\n    assert mod.main()\n",
            }
        ),
    )
    INVALID = (
        Invalid(
            files={
                "tests/conftest.py": CONFTEST,
                "tests/unit/test_pricing.py": PRICING,
                "tests/unit/test_proration.py": PRORATION,
            },
            at=("tests/unit/test_proration.py:9:1",),
            message="test `test_yearly_billing_discount` is a copy of test "
            "`test_annual_price_two_months_free` (tests/unit/test_pricing.py:4) up to "
            "formatting and comments: delete it",
        ),
        Invalid(
            files={"tests/test_checkout.py": CHECKOUT},
            at=("tests/test_checkout.py:10:1",),
            message="test `test_checkout_in_euros` (tests/test_checkout.py:1) with other "
            'local names and literals (`"USD"` for `"EUR"`, `45` for `42`): merge the 2 tests',
        ),
        Invalid(
            files={
                "tests/test_signup.py": SIGNUP,
                "tests/api/test_users.py": "import pytest\n\n\n" + SIGNUP_RENAMED,
                "tests/api/test_mail.py": SIGNUP,
            },
            at=("tests/api/test_users.py:4:1", "tests/test_signup.py:1:1"),
            message="test `test_new_user_gets_welcome_mail` is test "
            "`test_signup_sends_welcome_mail` (tests/api/test_mail.py:1) with other local "
            "names: it checks nothing more; delete it",
        ),
        Invalid(
            files={"tests/test_models.py": ROUNDTRIPS},
            at=("tests/test_models.py:11:1",),
            message="test `test_plan_roundtrip` is the code of test `test_customer_roundtrip` "
            "(tests/test_models.py:1) with other names and literals: merge the 2 tests into "
            "one, parametrized over what differs (functions, classes or attributes too)",
        ),
        Invalid(
            files={"tests/test_accounts.py": ACCOUNTS},
            at=("tests/test_accounts.py:8:5",),
            message="up to formatting and comments; the same method in 2 classes: move it into "
            "a shared base class",
        ),
    )

    def check(self, suite: SuiteView) -> Iterator[Finding]:
        for group in suite.duplicates:
            if group.kind != "test" or group.clone not in ("exact", "renamed"):
                continue
            keep = group.members[0]
            for member in group.members[1:]:
                objects = [] if group.differs else other_file_objects(suite, keep, member)
                if group.clone == "exact":
                    advice = _over_objects(objects) if objects else _exact_advice(group)
                    message = (
                        f"test `{member.name}` is a copy of test {where(keep)} up to "
                        f"formatting and comments{advice}"
                    )
                elif objects:
                    message = f"test `{member.name}` is the code of test {where(keep)}" + (
                        _over_objects(objects).replace("; ", ": ", 1)
                    )
                else:
                    message = _renamed_message(suite, group, keep, member)
                yield self.finding(member.path, member.line, member.col, message)


def _over_objects(names: list[str]) -> str:
    """The advice for copies in two files whose names are built from each file's own
    classes (``ModelExampleCreate = ModelExample.get_pydantic()``): never "delete it"."""
    shown = ", ".join(f"`{n}`" for n in names[:4])
    return (
        f"; the same code over other objects under one name ({shown}, built from a class "
        "of each file): not a copy to delete; consider one test parametrized over what "
        "differs (or a shared base class)"
    )


def _exact_advice(group: DuplicateGroup) -> str:
    """What to do, after the description: "delete it" (with the group's caveat when
    there is one), or the group's own advice when deleting is not it (the same method
    in several classes)."""
    advice = group.suggestion
    if not advice.startswith("keep "):
        return f"; {advice}"
    _, caveat, rest = advice.partition("; ")
    return f": delete it{caveat}{rest}"


def _renamed_message(suite: SuiteView, group: DuplicateGroup, keep: Member, member: Member) -> str:
    if group.differs:
        # the same steps over other fixtures, classes or functions: never "delete it"
        return f"test `{member.name}` is the code of test {where(keep)}: {group.suggestion}"
    if not locals_only(suite, (keep, member)):
        # other callees or attributes, or literals of other kinds
        return (
            f"test `{member.name}` is the code of test {where(keep)} with other names and "
            f"literals: merge the {plural(len(group.members), 'test')} into one, "
            "parametrized over what differs (functions, classes or attributes too)"
        )
    kept, copied = literal_values(suite, keep), literal_values(suite, member)
    differ = list(
        dict.fromkeys((a, b) for a, b in zip(kept or (), copied or (), strict=False) if a != b)
    )
    if kept is not None and copied is not None and not differ:
        return (
            f"test `{member.name}` is test {where(keep)} with other local names: it "
            "checks nothing more; delete it"
        )
    shown = ", ".join(f"`{b}` for `{a}`" for a, b in differ[:3])
    more = f" and {len(differ) - 3} more" if len(differ) > 3 else ""
    values = f" ({shown}{more})" if shown else ""
    return (
        f"test `{member.name}` is the code of test {where(keep)} with other local names "
        f"and literals{values}: merge the {plural(len(group.members), 'test')} into one, "
        "parametrized over the literals that differ"
    )
