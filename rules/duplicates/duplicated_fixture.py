"""TA503 duplicated-fixture."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.api import DuplicateGroup, Finding, Invalid, Member, Rule, Severity, SuiteView, Valid

from ._common import clip, listing, where

VARIANTS = "variants of one fixture"
"""In the suggestion of a group of fixtures of other names and other literals."""

CONFTEST = """\
import pytest

from billing.app import create_app


@pytest.fixture
def client():
    return create_app(testing=True).test_client()
"""

CATALOG = """\
@pytest.fixture
def plan_catalog():
    return {
        "basic": Plan("basic", monthly=10),
        "pro": Plan("pro", monthly=30),
    }
"""

PRICING = f"""\
import pytest

from billing.plans import Plan
from billing.pricing import annual_price


{CATALOG}

def test_annual_price(plan_catalog):
    assert annual_price(plan_catalog["pro"]) == 300
"""

PLANS_API = f"""\
import pytest

from billing.plans import Plan


{CATALOG}

def test_list_plans(client, plan_catalog):
    response = client.get("/plans")
    assert sorted(response.json) == sorted(plan_catalog)
"""

AUTH = """\
import pytest


@pytest.fixture
def auth_headers(token):
    return {"Authorization": f"Bearer {token}"}
"""

ORDERS = """\
import pytest


@pytest.fixture
def auth_headers(token):
    # same as tests/conftest.py
    return {"Authorization": f"Bearer {token}"}


def test_list_orders(client, auth_headers):
    assert client.get("/orders", headers=auth_headers).status_code == 200
"""


PRO_PLAN = """\
import pytest

from billing.models import Plan


@pytest.fixture
def pro_plan(db_session):
    plan = Plan(code="pro", name="Pro", monthly_price="29.00", seats=5)
    db_session.add(plan)
    db_session.flush()
    db_session.refresh(plan)
    return plan


def test_subscribe(db_session, pro_plan):
    assert subscribe(db_session, pro_plan).plan_id == pro_plan.id
"""

BASIC_PLAN = """\
import pytest

from billing.models import Plan


@pytest.fixture
def basic_plan(db_session):
    tier = Plan(code="basic", name="Basic", monthly_price="9.00", seats=1)
    db_session.add(tier)
    db_session.flush()
    db_session.refresh(tier)
    return tier


def test_plan_cached(cache, basic_plan):
    assert cache.load(basic_plan.code) == basic_plan
"""


USER_MODEL = """\
import pytest


@pytest.fixture
def User():
    class User:
        __tablename__ = "user"
    return User
"""


SCHEMA = """\
import pytest


@pytest.fixture
def Category(Base):
    class Category(Base):
        __tablename__ = "category"
        id = Column(Integer, primary_key=True)
    return Category


@pytest.fixture
def Product(Base, Category):
    class Product(Base):
        __tablename__ = "product"
        id = Column(Integer, primary_key=True)
        categories = relationship(Category, {relation})
    return Product


def test_product(Product):
    assert Product.categories
"""


class DuplicatedFixture(Rule):
    """
    ## What it does
    Finds a fixture defined with the same code in several files (up to formatting,
    comments and the names of its local variables; the same literals and the same
    requested fixtures), and says where its one copy belongs: the `conftest.py` of the
    closest folder holding all the copies, or the copy that already serves every test
    when the others override it with the same body. Each copy is reported.

    Fixtures of other names in several files whose code (of at least 40 tokens) is the
    same up to names and literals (`pro_plan` and `basic_plan` building two rows the
    same way) are variants of one fixture: each but the first is reported, with the
    `conftest.py` where one fixture taking what differs belongs. A fixture of one name
    with other values in each module is an override, not reported.

    Copies that are meant to stay per module are not reported either: copies that each
    override a `conftest.py` fixture of their name with other code; fixtures building
    a class (a model) in modules whose other model fixtures differ, where each copy is
    one part of its module's schema; and such a model fixture when another module
    under the `conftest.py` it would go to declares that name with other code (a
    conftest copy would be a default that module shadows).

    ## Why is this bad?
    Copied fixtures drift apart: a fix to one copy (a teardown, a scope) misses the
    others, and tests in different files silently get different setups for the same
    name. pytest shares fixtures through `conftest.py` files, which is where a fixture
    used by several modules belongs.

    ## Example
    ```python
    # tests/unit/test_pricing.py, and again in tests/api/test_plans_api.py
    @pytest.fixture
    def plan_catalog():
        return {"pro": Plan("pro", monthly=30)}
    ```
    Use instead:
    ```python
    # tests/conftest.py, once
    @pytest.fixture
    def plan_catalog():
        return {"pro": Plan("pro", monthly=30)}
    ```

    ## References
    - pytest, "conftest.py: sharing fixtures across multiple files":
      <https://docs.pytest.org/en/stable/reference/fixtures.html#conftest-py-sharing-fixtures-across-multiple-files>
    """

    code = "TA503"
    name = "duplicated-fixture"
    category = "duplicates"
    severity = Severity.WARNING
    whole_suite = True

    VALID = (
        # the fixture lives in the conftest, the modules use it
        Valid(
            files={
                "tests/conftest.py": "import pytest\n\nfrom billing.plans import Plan\n\n\n"
                + CATALOG,
                "tests/unit/test_pricing.py": "from billing.pricing import annual_price\n\n\n"
                "def test_annual_price(plan_catalog):\n"
                '    assert annual_price(plan_catalog["pro"]) == 300\n',
                "tests/api/test_plans_api.py": PLANS_API.replace(CATALOG, ""),
            }
        ),
        # one name, the same shape, other values: each module overrides it on purpose
        Valid(
            files={
                "tests/unit/test_pricing.py": PRICING,
                "tests/api/test_plans_api.py": PLANS_API.replace("monthly=30", "monthly=35"),
            }
        ),
        # the same body over other fixtures: `user` is a different fixture in each module
        Valid(
            files={
                "tests/admin/test_reports.py": "import pytest\n\n\n@pytest.fixture\n"
                "def user(admin):\n    return admin\n\n\n"
                "def test_sees_reports(user):\n    assert user.can_read_reports\n",
                "tests/public/test_reports.py": "import pytest\n\n\n@pytest.fixture\n"
                "def user(guest):\n    return guest\n\n\n"
                "def test_no_reports(user):\n    assert not user.can_read_reports\n",
            }
        ),
        # the same model in two modules, each overriding the root conftest's `User`: a
        # tests/conftest.py copy would replace that one for tests/test_accounts.py
        Valid(
            files={
                "conftest.py": "import pytest\n\n\n@pytest.fixture\ndef User():\n    return dict\n",
                "tests/a/test_one.py": USER_MODEL + "\n\ndef test_one(User):\n    assert User\n",
                "tests/b/test_two.py": USER_MODEL + "\n\ndef test_two(User):\n    assert User\n",
                "tests/test_accounts.py": "def test_accounts(User):\n    assert User\n",
            }
        ),
        # copies overriding the conftest's `auth_headers` on purpose, with other code
        Valid(
            files={
                "tests/conftest.py": AUTH,
                "tests/api/test_orders.py": ORDERS.replace("Bearer", "Token"),
                "tests/api/test_refunds.py": ORDERS.replace("Bearer", "Token").replace(
                    "orders", "refunds"
                ),
            }
        ),
        # `Category` is equal in both modules, but each module's schema differs (its
        # `Product` relates to it otherwise): each copy is part of its module's schema
        Valid(
            files={
                "conftest.py": "import pytest\n\n\n@pytest.fixture\ndef Base():\n"
                "    return object\n",
                "tests/test_one_to_many.py": SCHEMA.format(relation="backref='products'"),
                "tests/test_many_to_many.py": SCHEMA.format(relation="secondary='links'"),
            }
        ),
    )
    INVALID = (
        Invalid(
            files={
                "tests/integration/test_subscriptions.py": PRO_PLAN,
                "tests/integration/test_cache.py": BASIC_PLAN,
            },
            at=("tests/integration/test_subscriptions.py:7:1",),
            message="fixture `pro_plan` is the code of fixture `basic_plan` "
            "(tests/integration/test_cache.py:7) with other names and literals: 2 variants "
            "of one fixture, the same code up to names and literals: one fixture in "
            "tests/integration/conftest.py (create it) taking what differs (a factory "
            "fixture, or `params=`) should replace them",
        ),
        Invalid(
            files={
                "tests/conftest.py": CONFTEST,
                "tests/unit/test_pricing.py": PRICING,
                "tests/api/test_plans_api.py": PLANS_API,
            },
            at=("tests/api/test_plans_api.py:7:1", "tests/unit/test_pricing.py:8:1"),
            message="fixture `plan_catalog` has the same code as `plan_catalog` "
            "(tests/unit/test_pricing.py:8): move `plan_catalog` to tests/conftest.py "
            "(exists) and delete the 2 copies",
        ),
        Invalid(
            files={
                "tests/conftest.py": AUTH,
                "tests/api/test_orders.py": ORDERS,
            },
            at=("tests/api/test_orders.py:5:1",),
            message="`auth_headers` at tests/conftest.py:5 already serves every user: "
            "delete the 1 overriding copy",
        ),
        Invalid(
            files={
                "tests/unit/test_pricing.py": PRICING,
                "tests/unit/test_invoices.py": PRICING.replace("plan_catalog", "plans"),
            },
            at=("tests/unit/test_invoices.py:8:1", "tests/unit/test_pricing.py:8:1"),
            message="move `plans` to tests/unit/conftest.py (create it) and delete the 2 "
            "copies; names differ (`plan_catalog`, `plans`)",
        ),
    )

    def check(self, suite: SuiteView) -> Iterator[Finding]:
        for group in suite.duplicates:
            if group.kind != "fixture":
                continue
            if VARIANTS in group.suggestion:
                first = group.members[0]
                for member in group.members[1:]:
                    yield self.finding(
                        member.path,
                        member.line,
                        member.col,
                        f"fixture `{member.name}` is the code of fixture {where(first)} with "
                        f"other names and literals: {clip(group.suggestion)}",
                    )
                continue
            keep = _serving(group)
            for member in group.members:
                if member == keep:
                    continue
                others = [m for m in group.members if m != member]
                yield self.finding(
                    member.path,
                    member.line,
                    member.col,
                    f"fixture `{member.name}` has the same code as {listing(others)}: "
                    f"{clip(group.suggestion)}",
                )


def _serving(group: DuplicateGroup) -> Member | None:
    """The copy that already serves every user, when the others only override it."""
    for member in group.members:
        if group.suggestion.startswith(
            f"`{member.name}` at {member.path}:{member.line} already serves"
        ):
            return member
    return None
