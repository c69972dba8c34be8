"""Clone groups found on small suites written to disk and built by the real pipeline."""

from __future__ import annotations

import itertools
import random
import sys
import textwrap
from collections import Counter
from pathlib import Path

from auditor.analysis.clone_groups import DuplicateGroup, DuplicateSettings, Member
from auditor.analysis.duplicates import common_name, find_duplicates
from auditor.analysis.fixture_clones import nearest_conftest
from auditor.analysis.near_clones import near_pairs
from auditor.model.suite import Suite
from auditor.parse.summary import Shape
from auditor.pipeline import analyse_path
from auditor.testing import write_tree

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

LONG = """
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
REFORMATTED = '''
def test_checkout_again(client, cart):
    """Same test, written again."""
    response = client.post('/carts', json={'items': [1, 2, 3]})  # create
    assert (response.status_code == 201)
    body = response.json(); assert body['items'] == [1, 2, 3]
    assert body['currency'] == 'EUR'
    total = cart.total(
        discount=0.5,
    )
    assert total == 42
    assert cart.count() == 3
    assert cart.is_open()
'''
OTHER_LITERALS = (
    LONG.replace("test_checkout", "test_checkout_usd")
    .replace('"EUR"', '"USD"')
    .replace("== 42", "== 45")
)
RENAMED = (
    LONG.replace("test_checkout", "test_checkout_renamed")
    .replace("response", "resp")
    .replace("body", "data")
    .replace("total =", "amount =")
    .replace("total ==", "amount ==")
)
NEAR = LONG.replace("test_checkout", "test_checkout_closed") + "    assert cart.close()\n"


def suite_of(tmp_path: Path, files: dict[str, str]) -> Suite:
    write_tree(tmp_path, {name: textwrap.dedent(text) for name, text in files.items()})
    return analyse_path(tmp_path).suite


def groups_of(
    tmp_path: Path, files: dict[str, str], settings: DuplicateSettings | None = None
) -> tuple[DuplicateGroup, ...]:
    return find_duplicates(suite_of(tmp_path, files), settings)


def names(group: DuplicateGroup) -> list[str]:
    return [m.name for m in group.members]


def test_exact_clones_ignore_formatting_comments_and_docstrings(tmp_path: Path) -> None:
    groups = groups_of(tmp_path, {"tests/test_a.py": LONG, "tests/test_b.py": REFORMATTED})
    assert len(groups) == 1
    (group,) = groups
    assert (group.kind, group.clone, group.similarity) == ("test", "exact", 1.0)
    assert group.members == (
        Member("tests/test_a.py", 2, "test_checkout", "tests/test_a.py::test_checkout"),
        Member("tests/test_b.py", 2, "test_checkout_again", "tests/test_b.py::test_checkout_again"),
    )
    assert group.suggestion.startswith("keep `test_checkout` (tests/test_a.py:2)")
    assert "delete the other 1" in group.suggestion


def test_tests_differing_only_in_literals_are_parametrize_candidates(tmp_path: Path) -> None:
    source = """
    def test_discount_gold(shop):
        assert shop.discount(100, "gold") == 80

    def test_discount_silver(shop):
        assert shop.discount(100, "silver") == 90

    def test_discount_none(shop):
        assert shop.discount(100, "none") == 100

    def test_tax(shop):
        assert shop.tax(100) == 20
    """
    (group,) = groups_of(tmp_path, {"test_shop.py": source})
    assert (group.kind, group.clone) == ("test", "parametrize")
    assert names(group) == ["test_discount_gold", "test_discount_silver", "test_discount_none"]
    assert group.suggestion.startswith(
        "parametrize as `test_discount(shop, value, value_2)` over 3 cases"
    )
    assert '"gold", "silver", "none"' in group.suggestion
    assert "80, 90, 100" in group.suggestion
    assert "ids: gold, silver, none" in group.suggestion


def test_renamed_clones_need_enough_tokens(tmp_path: Path) -> None:
    tiny = """
    def test_first():
        value = make()
        assert value

    def test_second():
        other = make()
        assert other
    """
    files = {"tests/test_a.py": LONG, "tests/test_b.py": RENAMED, "tests/test_tiny.py": tiny}
    (group,) = groups_of(tmp_path, files)
    assert (group.clone, names(group)) == ("renamed", ["test_checkout", "test_checkout_renamed"])
    loose = groups_of(tmp_path, files, DuplicateSettings(min_tokens=1))
    assert sorted(names(g) for g in loose if g.clone == "renamed") == [
        ["test_checkout", "test_checkout_renamed"],
        ["test_first", "test_second"],
    ]


def test_near_clones_by_jaccard_similarity(tmp_path: Path) -> None:
    files = {"tests/test_a.py": LONG, "tests/test_b.py": NEAR}
    (group,) = groups_of(tmp_path, files)
    assert (group.clone, names(group)) == ("near", ["test_checkout", "test_checkout_closed"])
    assert 0.85 <= group.similarity < 1
    assert groups_of(tmp_path, files, DuplicateSettings(near_similarity=0.99)) == ()


def jaccard(a: Shape, b: Shape) -> float:
    return len(set(a.shingles) & set(b.shingles)) / len(set(a.shingles) | set(b.shingles))


def test_every_pair_inside_a_near_group_is_near(tmp_path: Path) -> None:
    once = NEAR.replace("test_checkout_closed", "test_checkout_b")
    twice = once.replace("test_checkout_b", "test_checkout_c") + "    assert cart.is_closed()\n"
    files = {"tests/test_a.py": LONG, "tests/test_b.py": once, "tests/test_c.py": twice}
    suite = suite_of(tmp_path, files)
    shapes = {f.name: f.shape for m in suite.modules.values() for f in m.functions if f.shape}
    a, b, c = (shapes[n] for n in ("test_checkout", "test_checkout_b", "test_checkout_c"))
    settings = DuplicateSettings(near_similarity=0.9)
    assert jaccard(a, b) >= 0.9
    assert jaccard(b, c) >= 0.9 > jaccard(a, c)
    groups = find_duplicates(suite, settings)
    assert sorted(names(g) for g in groups) == [
        ["test_checkout", "test_checkout_b"],
        ["test_checkout_b", "test_checkout_c"],
    ]
    assert {g.clone for g in groups} == {"near"}


def test_near_pairs_finds_what_comparing_all_pairs_finds() -> None:
    rng = random.Random(7)
    bases = [rng.sample(range(5000), rng.randint(40, 160)) for _ in range(30)]
    shapes: list[Shape] = []
    for _ in range(300):
        shingles = set(rng.choice(bases))
        for _ in range(rng.randint(0, 25)):
            shingles.discard(rng.choice(sorted(shingles)))
            shingles.add(rng.randrange(5000))
        shapes.append(Shape("", "", "", len(shingles), tuple(sorted(shingles))))
    shapes.append(Shape("", "", "", 10, shapes[0].shingles))  # below min_tokens
    settings = DuplicateSettings(near_similarity=0.8)
    expected = [
        (i, j, jaccard(shapes[i], shapes[j]))
        for i, j in itertools.combinations(range(len(shapes) - 1), 2)
        if jaccard(shapes[i], shapes[j]) >= 0.8
    ]
    assert len(expected) > 100
    assert near_pairs(shapes, settings) == expected
    # the same shingles, but one def is twice as long (the same statements repeated)
    same = shapes[0].shingles
    assert near_pairs([Shape("", "", "", 100, same), Shape("", "", "", 50, same)], settings) == []


def test_the_same_asserts_repeated_more_often_are_not_near(tmp_path: Path) -> None:
    def asserts(name: str, count: int) -> str:
        return f"def {name}(x):\n" + "    assert f(x).g(x) == h(x, x)\n" * count

    files = {"test_a.py": asserts("test_few", 5), "test_b.py": asserts("test_many", 12)}
    suite = suite_of(tmp_path, files)
    shapes = [f.shape for m in suite.modules.values() for f in m.functions if f.shape]
    assert jaccard(*shapes) == 1.0
    assert min(s.size for s in shapes) >= 40
    assert find_duplicates(suite) == ()


def test_each_pair_is_reported_at_its_strongest_level_only(tmp_path: Path) -> None:
    files = {
        "tests/test_a.py": LONG,
        "tests/test_b.py": REFORMATTED,
        "tests/test_c.py": OTHER_LITERALS,
        "tests/test_d.py": RENAMED,
        "tests/test_e.py": NEAR,
    }
    groups = [g for g in groups_of(tmp_path, files) if g.kind == "test"]
    by_clone = {g.clone: names(g) for g in groups}
    assert by_clone == {
        "exact": ["test_checkout", "test_checkout_again"],
        "parametrize": ["test_checkout", "test_checkout_usd"],
        "renamed": ["test_checkout", "test_checkout_renamed"],
        "near": ["test_checkout", "test_checkout_closed"],
    }
    pairs = [p for g in groups for p in itertools.combinations(g.members, 2)]
    assert len(pairs) == len(set(pairs))


def test_identical_code_calling_differently_imported_functions(tmp_path: Path) -> None:
    body = "\n\ndef test_rational():\n    assert mcode(Rational(3, 7)) == '3/7'\n"
    files = {
        "test_octave.py": "from printers.octave import octave_code as mcode" + body,
        "test_julia.py": "from printers import julia_code as mcode" + body,
    }
    (group,) = groups_of(tmp_path, files)
    assert group.clone == "exact"
    assert group.differs == ("mcode",)
    assert group.suggestion == (
        "the same code over other objects under one name (`mcode`): not a copy to delete; "
        "consider one test parametrized over what differs (or a shared base class)"
    )


def test_a_def_counts_once_however_many_items_it_makes(tmp_path: Path) -> None:
    source = """
    import pytest

    @pytest.mark.parametrize("n", [1, 2, 3])
    def test_param(n):
        assert n

    class TestBase:
        def test_inherited(self):
            assert self.value() == 3

    class TestChild(TestBase):
        pass
    """
    suite = suite_of(tmp_path, {"test_x.py": source})
    assert len(suite.tests) == 3  # the inherited method is collected twice
    assert find_duplicates(suite) == ()


def test_the_same_unittest_method_in_two_classes(tmp_path: Path) -> None:
    source = """
    import unittest

    class TestSqlite(unittest.TestCase):
        def test_roundtrip(self):
            self.assertEqual(self.store.load(self.store.save("x")), "x")

    class TestMemory(unittest.TestCase):
        def test_roundtrip(self):
            self.assertEqual(self.store.load(self.store.save("x")), "x")
    """
    (group,) = groups_of(tmp_path, {"test_store.py": source})
    assert (group.clone, [m.nodeid for m in group.members]) == (
        "exact",
        ["test_store.py::TestSqlite::test_roundtrip", "test_store.py::TestMemory::test_roundtrip"],
    )
    assert "shared base class" in group.suggestion


FIXTURE = """
import pytest

@pytest.fixture
def {name}(tmp_path):
    path = tmp_path / "app.db"
    return connect(path, timeout=5)

def test_{name}_{n}({name}):
    assert {name}.check_{n}()
"""


def test_fixtures_copied_across_files_go_to_the_nearest_conftest(tmp_path: Path) -> None:
    files = {
        "tests/api/test_x.py": FIXTURE.format(name="db", n=1),
        "tests/unit/deep/test_y.py": FIXTURE.format(name="db", n=2),
        "other/test_z.py": FIXTURE.format(name="db", n=3).replace("timeout=5", "timeout=9"),
    }
    (group,) = groups_of(tmp_path, files)
    assert (group.kind, group.clone) == ("fixture", "exact")
    assert group.members == (
        Member("tests/api/test_x.py", 5, "db", ""),
        Member("tests/unit/deep/test_y.py", 5, "db", ""),
    )
    assert group.suggestion == (
        "move `db` to tests/conftest.py (create it) and delete the 2 copies"
    )


def test_fixture_hoisting_names_an_existing_conftest_and_differing_names(
    tmp_path: Path,
) -> None:
    files = {
        "tests/conftest.py": "import pytest\n",
        "tests/a/test_x.py": FIXTURE.format(name="db", n=1),
        "tests/b/test_y.py": FIXTURE.format(name="database", n=2).replace(
            "tmp_path / ", "tmp_path/"
        ),
    }
    (group,) = groups_of(tmp_path, files)
    assert group.kind == "fixture"
    assert names(group) == ["db", "database"]
    assert group.suggestion.startswith("move `db` to tests/conftest.py (exists)")
    assert "names differ (`database`, `db`)" in group.suggestion


def test_an_override_with_the_same_body_is_a_copy_to_delete(tmp_path: Path) -> None:
    conftest = "import pytest\n\n@pytest.fixture\ndef clock():\n    return Clock(frozen=True)\n"
    files = {
        "conftest.py": conftest,
        "tests/unit/conftest.py": conftest,
        "tests/unit/test_a.py": "def test_a(clock):\n    assert clock.now()\n",
    }
    (group,) = groups_of(tmp_path, files)
    assert group.kind == "fixture"
    assert group.suggestion == (
        "`clock` at conftest.py:4 already serves every user: delete the 1 overriding copy"
    )


def test_copies_within_one_file_are_not_hoisted(tmp_path: Path) -> None:
    source = FIXTURE.format(name="db", n=1) + FIXTURE.format(name="db2", n=2).replace(
        "import pytest", ""
    )
    assert groups_of(tmp_path, {"tests/test_x.py": source}) == ()


def test_fixtures_requesting_different_fixtures_are_not_copies(tmp_path: Path) -> None:
    files = {
        "a/test_x.py": "import pytest\n\n@pytest.fixture\ndef user(admin):\n    return admin\n",
        "b/test_y.py": "import pytest\n\n@pytest.fixture\ndef user(guest):\n    return guest\n",
        "c/test_z.py": "import pytest\n\n@pytest.fixture\ndef user(guest):\n    return 'x'\n",
    }
    assert groups_of(tmp_path, files) == ()


def test_files_whose_tests_are_mostly_clones_of_another_file(tmp_path: Path) -> None:
    old = """
    def test_add(calc):
        assert calc.add(1, 2) == 3

    def test_sub(calc):
        assert calc.sub(3, 2) == 1

    def test_mul(calc):
        assert calc.mul(2, 3) == 6
    """
    new = """
    def test_add(calc):
        assert calc.add(1, 2) == 3

    def test_sub(calc):
        assert calc.sub(3, 2) == 1

    def test_div(calc):
        assert calc.div(6, 3) == 2
    """
    groups = groups_of(tmp_path, {"tests/test_old.py": old, "tests/test_new.py": new})
    files = [g for g in groups if g.kind == "file"]
    assert len(files) == 1
    assert files[0].members == (
        Member("tests/test_new.py", 1, "test_new.py", ""),
        Member("tests/test_old.py", 1, "test_old.py", ""),
    )
    assert files[0].similarity == 0.667
    assert files[0].suggestion == (
        "2 of 3 tests in tests/test_new.py have clones in tests/test_old.py (2 identical): "
        "keep one copy of each"
    )
    assert sorted(g.clone for g in groups if g.kind == "test") == ["exact", "exact"]
    # one cloned test is not enough to call two files overlapping
    one = groups_of(
        tmp_path / "one",
        {"test_p.py": old, "test_q.py": new.replace("calc.sub", "calc.pow")},
    )
    assert [g.kind for g in one] == ["test"]


def test_different_tests_make_no_group(tmp_path: Path) -> None:
    source = """
    def test_get(client):
        response = client.get("/items")
        assert response.status_code == 200

    def test_post(client):
        response = client.post("/items")
        assert response.status_code == 200

    def test_length(client):
        response = client.get("/items")
        assert len(response.json()) == 200

    def test_headers(client):
        response = client.get("/items")
        assert response.headers["x"] == 200

    def test_isprime():
        assert isprime(7)

    def test_factorint():
        assert factorint(7)

    def test_stub_one():
        pass

    def test_stub_two():
        pass
    """
    assert groups_of(tmp_path, {"test_misc.py": source, "tests/test_more.py": NEAR}) == ()


def test_output_is_deterministic_and_largest_groups_first(tmp_path: Path) -> None:
    files = {
        "tests/test_a.py": LONG,
        "tests/test_b.py": REFORMATTED,
        "tests/test_c.py": REFORMATTED.replace("_again", "_third"),
        "tests/test_d.py": OTHER_LITERALS,
    }
    suite = suite_of(tmp_path, files)
    groups = find_duplicates(suite)
    assert groups == find_duplicates(suite)
    assert [len(g.members) for g in groups] == [3, 2]
    assert [g.clone for g in groups] == ["exact", "parametrize"]


def test_common_name_and_nearest_conftest() -> None:
    assert common_name(["test_discount_10", "test_discount_20"]) == "test_discount"
    assert common_name(["test_add", "test_add_negative"]) == "test_add"
    assert common_name(["test_sum", "test_add"]) == "test_sum"
    assert nearest_conftest(["tests/a/test_x.py", "tests/a/b/test_y.py"]) == "tests/a/conftest.py"
    assert nearest_conftest(["tests/test_x.py", "other/test_y.py"]) == "conftest.py"


CUSTOMER_ROUNDTRIP = """
def test_customer_roundtrip(memory_session):
    customer = Customer(email="ann@example.test", name="Ann Lee", slug="ann-lee")
    memory_session.add(customer)
    memory_session.flush()
    memory_session.expire_all()
    loaded = memory_session.get(Customer, customer.id)
    assert loaded is not None
    assert loaded.email == "ann@example.test"
    assert loaded.slug == "ann-lee"
"""
PLAN_ROUNDTRIP = """
def test_plan_roundtrip(memory_session):
    plan = Plan(code="team", name="Team", seats=10)
    memory_session.add(plan)
    memory_session.flush()
    memory_session.expire_all()
    stored = memory_session.get(Plan, plan.id)
    assert stored is not None
    assert stored.code == "team"
    assert stored.seats == 10
"""
LATENCY = """
def test_{what}_p95(db_session):
    rows = [{create}(db_session) for _ in range({count})]
    repo = {repository}(db_session)
    target = rows[-1].{attribute}
    samples = measure(repo.{method}, target, repeat={count})
    assert len(samples) == {count}
    assert p95(samples) < {budget}, f"p95 {{p95(samples) * 1000:.1f}} ms"
"""


def test_renamed_clones_over_other_callees_attributes_and_keywords(tmp_path: Path) -> None:
    """The same steps over another class, its keywords and attributes (not only other
    local names) are a renamed clone, from `loose_min_tokens` tokens."""
    files = {"tests/test_models.py": CUSTOMER_ROUNDTRIP + PLAN_ROUNDTRIP}
    (group,) = groups_of(tmp_path, files)
    assert (group.clone, names(group)) == (
        "renamed",
        ["test_customer_roundtrip", "test_plan_roundtrip"],
    )
    assert group.suggestion == (
        "the same code up to names and literals: merge the 2 tests into one, parametrized "
        "over what differs (functions, classes or attributes too)"
    )
    assert not any(
        g.clone == "renamed"
        for g in groups_of(tmp_path, files, DuplicateSettings(loose_min_tokens=10_000))
    )


def test_renamed_clones_over_other_imported_functions_and_methods(tmp_path: Path) -> None:
    customers = LATENCY.format(
        what="customer_lookup",
        create="create_customer",
        count=200,
        repository="CustomerRepository",
        attribute="email",
        method="by_email",
        budget=0.005,
    )
    invoices = LATENCY.format(
        what="invoice_listing",
        create="create_invoice",
        count=500,
        repository="InvoiceRepository",
        attribute="customer_id",
        method="for_customer",
        budget=0.02,
    )
    header = "from tests.factories import create_customer, create_invoice\n"
    files = {"tests/perf/test_a.py": header + customers, "tests/perf/test_b.py": header + invoices}
    (group,) = [g for g in groups_of(tmp_path, files) if g.kind == "test"]
    assert (group.clone, names(group)) == (
        "renamed",
        ["test_customer_lookup_p95", "test_invoice_listing_p95"],
    )


def test_short_tests_of_one_form_do_not_collapse_into_a_renamed_group(tmp_path: Path) -> None:
    calls = ["isprime", "factorint", "totient", "divisors", "primepi", "nextprime"]
    source = "".join(
        f"\ndef test_{f}(checker):\n    value = {f}(7, strict=True)\n"
        f"    assert checker.{f}_ok(value) == {n}\n    assert value.{f} is not None\n"
        f"    assert checker.seen[-1] == {f}.__name__\n"
        for n, f in enumerate(calls)
    )
    suite = suite_of(tmp_path, {"test_numbers.py": source})
    shapes = [f.shape for m in suite.modules.values() for f in m.functions if f.shape]
    assert len({s.loose for s in shapes}) == 1  # all alike up to every name...
    settings = DuplicateSettings()
    assert all(settings.min_tokens <= s.size < settings.loose_min_tokens for s in shapes)
    assert find_duplicates(suite) == ()  # ...but too short for that to mean anything
    loose = find_duplicates(suite, DuplicateSettings(min_tokens=1, loose_min_tokens=1))
    assert [(g.clone, len(g.members)) for g in loose] == [("renamed", 6)]


def test_a_renamed_group_takes_in_clones_over_other_callees(tmp_path: Path) -> None:
    """One renamed group for local renames and renamed callees together; the literal
    variant is reported as a parametrize candidate only, through one representative."""
    files = {
        "tests/test_a.py": CUSTOMER_ROUNDTRIP,
        "tests/test_b.py": CUSTOMER_ROUNDTRIP.replace("loaded", "fetched").replace(
            "test_customer_roundtrip", "test_customer_renamed"
        ),
        "tests/test_c.py": CUSTOMER_ROUNDTRIP.replace("ann-lee", "bob").replace(
            "test_customer_roundtrip", "test_customer_bob"
        ),
        "tests/test_d.py": PLAN_ROUNDTRIP,
    }
    groups = [g for g in groups_of(tmp_path, files) if g.kind == "test"]
    assert sorted((g.clone, names(g)) for g in groups) == [
        ("parametrize", ["test_customer_roundtrip", "test_customer_bob"]),
        ("renamed", ["test_customer_roundtrip", "test_customer_renamed", "test_plan_roundtrip"]),
    ]


PLAN_FIXTURE = """
import pytest

@pytest.fixture
def {name}(db_session):
    {var} = Plan(code="{code}", name="{title}", monthly_price=Decimal("{price}"), seats={seats})
    db_session.add({var})
    db_session.flush()
    db_session.refresh({var})
    return {var}

def test_uses_{name}({name}):
    assert {name}.code == "{code}"
"""


def test_fixture_variants_of_other_names_and_values_across_files(tmp_path: Path) -> None:
    pro = PLAN_FIXTURE.format(
        name="pro_plan", var="plan", code="pro", title="Pro", price="29.00", seats=5
    )
    basic = PLAN_FIXTURE.format(
        name="basic_plan", var="tier", code="basic", title="Basic", price="9.00", seats=1
    )
    files = {
        "tests/integration/test_subscriptions.py": pro,
        "tests/integration/test_cache.py": basic,
    }
    (group,) = groups_of(tmp_path, files)
    assert (group.kind, group.clone, names(group)) == (
        "fixture",
        "renamed",
        ["basic_plan", "pro_plan"],
    )
    assert group.suggestion == (
        "2 variants of one fixture, the same code up to names and literals: one fixture in "
        "tests/integration/conftest.py (create it) taking what differs (a factory fixture, "
        "or `params=`) should replace them"
    )
    # one name with its own values in each module: overrides, as pytest means them
    same_name = {"tests/a/test_x.py": pro, "tests/b/test_y.py": pro.replace('"29.00"', '"35.00"')}
    assert [g.kind for g in groups_of(tmp_path / "same", same_name)] == ["test"]
    # both in one module: not a fixture duplicated across files
    one_file = {"tests/test_plans.py": pro + basic.replace("import pytest", "")}
    assert groups_of(tmp_path / "one", one_file) == ()


def test_near_clones_of_short_tests_one_statement_added(tmp_path: Path) -> None:
    """A five-statement test and its copy with one keyword and one assert added."""
    source = """
    class TestSubscriptionService:
        def test_cancel_sets_status(self, service, fake_repo):
            subscription = fake_repo.add(build_subscription())
            service.cancel(subscription)
            stored = fake_repo.get(subscription.id)
            assert stored.status is SubscriptionStatus.CANCELLED
            assert fake_repo.active_for(subscription.customer_id) == []

        def test_cancel_records_reason(self, service, fake_repo):
            subscription = fake_repo.add(build_subscription())
            service.cancel(subscription, reason="switching to a competitor")
            stored = fake_repo.get(subscription.id)
            assert stored.status is SubscriptionStatus.CANCELLED
            assert stored.cancelled_reason == "switching to a competitor"
            assert fake_repo.active_for(subscription.customer_id) == []
    """
    (group,) = groups_of(tmp_path, {"tests/test_services.py": source})
    assert (group.clone, names(group)) == (
        "near",
        ["test_cancel_sets_status", "test_cancel_records_reason"],
    )
    assert 0.7 <= group.similarity < 0.85


SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "tiers"
LEVELS = {"1": "exact", "2": "renamed", "3": "near", "parametrize": "parametrize"}


def labelled(group: DuplicateGroup) -> tuple[str, str, frozenset[str]]:
    """(kind, level, members) with members named as DUPLICATES.toml names them."""
    return (
        group.kind,
        group.clone,
        frozenset(m.nodeid or f"{m.path}::{m.name}" for m in group.members),
    )


def test_every_labelled_group_of_the_sample_is_found() -> None:
    """tests/samples/tiers/DUPLICATES.toml: every group reported as labelled (the same
    members at the same level), and no other group of tests or fixtures."""
    data = tomllib.loads((SAMPLE / "DUPLICATES.toml").read_text(encoding="utf-8"))
    expected = {(g["kind"], LEVELS[g["type"]], frozenset(g["members"])) for g in data["group"]}
    assert len(expected) == 18
    suite = analyse_path(SAMPLE).suite
    found = {labelled(g) for g in find_duplicates(suite) if g.kind != "file"}
    assert sorted(expected - found, key=str) == []  # missed
    assert sorted(found - expected, key=str) == []  # extra
    assert Counter(level for _, level, _ in found) == {
        "exact": 7,
        "renamed": 6,
        "parametrize": 3,
        "near": 2,
    }


def test_a_crowd_of_look_alikes_keeps_a_bounded_number_of_near_partners() -> None:
    """Thousands of almost-equal defs must not make the near search quadratic: each keeps
    at most MAX_PARTNERS partners, and the defs cut short are named."""
    from auditor.analysis.near_clones import MAX_PARTNERS

    base = tuple(range(1000, 1030))
    shapes = [Shape("", "", "", 100, tuple(sorted((*base, 5000 + i)))) for i in range(300)]
    capped: set[int] = set()
    pairs = near_pairs(shapes, DuplicateSettings(), capped)
    partners = Counter(i for a, b, _ in pairs for i in (a, b))
    assert max(partners.values()) <= MAX_PARTNERS
    assert len(pairs) <= 300 * MAX_PARTNERS // 2
    assert capped


# -- what names resolve to: the same code over other things is not a copy ----------------

SCENARIO = """
def test_round_trip(session, Article):
    article = Article(title="x")
    session.add(article)
    session.flush()
    assert session.get(Article, article.id).title == "x"
"""
ARTICLE = "import pytest\n\n\n@pytest.fixture\ndef Article():\n    return {}\n"


def test_the_same_body_over_other_fixtures_is_not_a_copy_to_delete(tmp_path: Path) -> None:
    files = {
        "tests/conftest.py": "import pytest\n\n\n@pytest.fixture\ndef session():\n    return 1\n",
        "tests/test_plain.py": ARTICLE + SCENARIO,
        "tests/test_joined.py": ARTICLE.replace("return {}", "return []") + SCENARIO,
    }
    (group,) = groups_of(tmp_path, files)
    assert (group.kind, group.clone, group.differs) == ("test", "exact", ("fixture:Article",))
    assert "delete" not in group.suggestion.replace("not a copy to delete", "")
    assert "other fixtures (`Article`)" in group.suggestion


def test_the_same_body_over_the_same_fixture_is_a_copy(tmp_path: Path) -> None:
    files = {
        "tests/conftest.py": ARTICLE + "\n\n@pytest.fixture\ndef session():\n    return 1\n",
        "tests/test_plain.py": SCENARIO,
        "tests/test_joined.py": SCENARIO,
    }
    (group,) = groups_of(tmp_path, files)
    assert (group.clone, group.differs) == ("exact", ())
    assert "delete the other 1" in group.suggestion


TUTORIAL = """
def test_tutorial():
    from docs.where import {module} as mod

    mod.sqlite_url = "sqlite://"
    mod.engine = create_engine(mod.sqlite_url, echo=False)
    calls = []
    with patch("builtins.print", new=calls.append):
        mod.main()
    assert calls == [["id", 1, "name", "Deadpond"], ["id", 2, "name", "Rusty-Man"]]
"""


def test_the_same_body_over_another_docs_module_is_another_test(tmp_path: Path) -> None:
    files = {
        "docs/__init__.py": "",
        "docs/where/__init__.py": "",
        "docs/where/tutorial001.py": "def main(p):\n    p('a')\n",
        "docs/where/tutorial002.py": "def main(p):\n    p('b')\n",
        "tests/test_tutorial001.py": TUTORIAL.replace("{module}", "tutorial001"),
        "tests/test_tutorial002.py": TUTORIAL.replace("{module}", "tutorial002"),
    }
    assert groups_of(tmp_path, files) == ()


def test_a_python_version_variant_of_a_module_is_the_same_subject(tmp_path: Path) -> None:
    files = {
        "docs/__init__.py": "",
        "docs/where/__init__.py": "",
        "docs/where/tutorial001.py": "def main(p):\n    p('a')\n",
        "docs/where/tutorial001_py310.py": "def main(p):\n    p('a')\n",
        "tests/test_tutorial001.py": TUTORIAL.replace("{module}", "tutorial001"),
        "tests/test_tutorial001_py310.py": TUTORIAL.replace("{module}", "tutorial001_py310"),
    }
    groups = groups_of(tmp_path, files)
    tests = [g for g in groups if g.kind == "test"]
    assert len(tests) == 1
    assert tests[0].differs == ("mod",)
    assert "parametrized over what differs" in tests[0].suggestion


def test_module_level_imports_of_other_modules_split_identical_tests(tmp_path: Path) -> None:
    wrapper = (
        "from docs import {module} as test_mod\n\n\n"
        "def test_tutorial():\n    test_mod.test_create_hero()\n"
    )
    files = {
        "docs/__init__.py": "",
        "docs/test_main_001.py": "def test_create_hero():\n    pass\n",
        "docs/test_main_002.py": "def test_create_hero():\n    pass\n",
        "tests/test_tests001.py": wrapper.format(module="test_main_001"),
        "tests/test_tests002.py": wrapper.format(module="test_main_002"),
        "tests/test_tests003.py": wrapper.format(module="test_main_002"),
    }
    (group,) = groups_of(tmp_path, files)
    assert names(group) == ["test_tutorial", "test_tutorial"]
    assert [m.path for m in group.members] == ["tests/test_tests002.py", "tests/test_tests003.py"]


MODEL = """
import pytest


@pytest.fixture
def User(Base):
    class User(Base):
        __tablename__ = "user"
        id = Column(Integer, primary_key=True)
        name = Column(Unicode(255))
    return User


def test_{name}(User):
    assert User.__tablename__ == "user"
"""


def test_a_fixture_is_not_hoisted_over_a_wider_definition(tmp_path: Path) -> None:
    root = (
        "import pytest\n\n\n@pytest.fixture\ndef Base():\n    return object\n\n\n"
        "@pytest.fixture\ndef User(Base):\n    return Base\n"
    )
    files = {
        "conftest.py": root,
        "tests/a/test_one.py": MODEL.format(name="one"),
        "tests/b/test_two.py": MODEL.format(name="two"),
        # uses the root conftest's `User`: a tests/conftest.py copy would replace it
        "tests/test_other.py": "def test_other(User):\n    assert User\n",
    }
    assert [g for g in groups_of(tmp_path, files) if g.kind == "fixture"] == []


def test_a_fixture_copy_with_no_wider_definition_is_hoisted(tmp_path: Path) -> None:
    files = {
        "conftest.py": "import pytest\n\n\n@pytest.fixture\ndef Base():\n    return object\n",
        "tests/a/test_one.py": MODEL.format(name="one"),
        "tests/b/test_two.py": MODEL.format(name="two"),
        "tests/test_other.py": "def test_other(Base):\n    assert Base\n",
    }
    (group,) = [g for g in groups_of(tmp_path, files) if g.kind == "fixture"]
    assert group.suggestion.startswith("move `User` to tests/conftest.py (create it)")


def test_fixtures_building_other_model_classes_are_not_variants(tmp_path: Path) -> None:
    model = (
        "import pytest\n\n\n@pytest.fixture\ndef {name}(Base):\n"
        "    class {name}(Base):\n"
        '        __tablename__ = "{table}"\n'
        "        id = sa.Column(sa.Integer, primary_key=True)\n"
        "        name = sa.Column(sa.Unicode(255))\n"
        "        created = sa.Column(sa.DateTime, default=sa.func.now())\n"
        "    return {name}\n\n\n"
        "def test_{table}({name}):\n    assert {name}\n"
    )
    files = {
        "conftest.py": "import pytest\n\n\n@pytest.fixture\ndef Base():\n    return object\n",
        "tests/test_group.py": model.format(name="Group", table="group"),
        "tests/test_category.py": model.format(name="Category", table="category"),
    }
    assert [g for g in groups_of(tmp_path, files) if g.kind == "fixture"] == []


def _steps_of(source: str) -> list[tuple[int, ...]]:
    import libcst as cst

    from auditor.parse.shape import shape_of

    module = cst.parse_module(textwrap.dedent(source))
    shapes = [shape_of(node) for node in module.body if isinstance(node, cst.FunctionDef)]
    return [shape.steps for shape in shapes if shape is not None]


def test_same_checks_after_the_same_steps_are_near_clones() -> None:
    from auditor.analysis.near_clones import same_checks

    first, second = _steps_of(
        """
        def test_checkout(client, cart):
            response = client.post("/carts", json={"items": [1, 2]})
            assert response.status_code == 201
            total = cart.total()
            assert total == 42
        def test_checkout_then_close(client, cart):
            response = client.post("/carts", json={"items": [1, 2]})
            assert response.status_code == 201
            total = cart.total()
            assert total == 42
            cart.close()
            assert not cart.is_open()
        """
    )
    assert same_checks(first, second)


def test_another_operation_before_a_check_of_the_same_form_is_another_test() -> None:
    from auditor.analysis.near_clones import same_checks

    insert, update, raises, raises_other, raises_logged = _steps_of(
        """
        def test_on_insert(session, Catalog):
            catalog = Catalog(name="c")
            session.add(catalog)
            session.commit()
            session.refresh(catalog)
            assert catalog.net_worth == 1000
        def test_on_update(session, Catalog):
            catalog = Catalog(name="c")
            session.add(catalog)
            session.commit()
            catalog.price = 500
            session.commit()
            session.refresh(catalog)
            assert catalog.net_worth == 500
        def test_bad_path(view):
            flt = Filter("a.b")
            with pytest.raises(ValueError):
                view.filter(flt)
        def test_bad_relation(view):
            flt = OtherFilter("a")
            with pytest.raises(ValueError):
                view.filter(flt)
        def test_bad_path_logged(view, log):
            flt = Filter("a.b")
            log.clear()
            with pytest.raises(ValueError):
                view.filter(flt)
        """
    )
    assert not same_checks(insert, update)
    assert same_checks(raises, raises_other)  # other data, the same expectation
    assert not same_checks(raises, raises_logged)  # one more step before it
    assert same_checks(insert, insert)
    assert same_checks((2, 4), (2, 6))  # no check on either side: tokens decide alone


# -- files over other subjects, fixtures that are per-module declarations ----------------

TUTORIAL_FILE = """
def test_tutorial001(clear_sqlmodel):
    from docs.{topic} import tutorial001{variant} as mod

    mod.sqlite_url = "sqlite://"
    calls = []
    with patch("builtins.print", new=calls.append):
        mod.main()
    assert calls == [["Hero 1:", {{"id": 2}}], ["Deleted hero:", {{"id": 2}}]]


def test_tutorial002(clear_sqlmodel):
    from docs.{topic} import tutorial002{variant} as mod

    mod.sqlite_url = "sqlite://"
    calls = []
    with patch("builtins.print", new=calls.append):
        mod.main()
    assert calls == [["Hero 1:", {{"id": 2}}], ["Deleted hero:", {{"id": 2}}]]
"""


def _docs(*topics: str) -> dict[str, str]:
    files = {"docs/__init__.py": ""}
    for topic in topics:
        files[f"docs/{topic}/__init__.py"] = ""
        for module in ("tutorial001", "tutorial002", "tutorial001_py310", "tutorial002_py310"):
            files[f"docs/{topic}/{module}.py"] = "def main():\n    print('x')\n"
    return files


def test_files_over_other_docs_modules_do_not_overlap(tmp_path: Path) -> None:
    files = {
        **_docs("delete", "update"),
        "tests/conftest.py": "import pytest\n\n\n@pytest.fixture\ndef clear_sqlmodel():\n"
        "    yield\n",
        "tests/test_delete.py": TUTORIAL_FILE.format(topic="delete", variant=""),
        "tests/test_update.py": TUTORIAL_FILE.format(topic="update", variant=""),
    }
    assert [g for g in groups_of(tmp_path, files) if g.kind == "file"] == []


def test_a_file_over_the_python_version_variants_overlaps(tmp_path: Path) -> None:
    files = {
        **_docs("delete"),
        "tests/conftest.py": "import pytest\n\n\n@pytest.fixture\ndef clear_sqlmodel():\n"
        "    yield\n",
        "tests/test_delete.py": TUTORIAL_FILE.format(topic="delete", variant=""),
        "tests/test_delete_py310.py": TUTORIAL_FILE.format(topic="delete", variant="_py310"),
    }
    (group,) = [g for g in groups_of(tmp_path, files) if g.kind == "file"]
    assert [m.path for m in group.members] == ["tests/test_delete.py", "tests/test_delete_py310.py"]


RANGE_FILE = """
import pytest
import sqlalchemy as sa

from rangelib import {column}


@pytest.fixture
def Booking(Base):
    class Booking(Base):
        __tablename__ = "booking"
        id = sa.Column(sa.Integer, primary_key=True)
        during = sa.Column({column}){extra}

    return Booking


def test_nullify_range(session, Booking):
    booking = Booking(during=None)
    session.add(booking)
    session.commit()
    assert session.query(Booking).first().during is None


def test_lower_and_upper_of_an_empty_range(session, Booking):
    booking = Booking(during=[])
    session.add(booking)
    session.commit()
    assert session.query(Booking).first().during.lower is None
"""
RANGE_CONFTEST = (
    "import pytest\n\n\n@pytest.fixture\ndef Base():\n    return object\n\n\n"
    "@pytest.fixture\ndef session():\n    return 1\n"
)


def test_files_over_models_of_other_project_types_do_not_overlap(tmp_path: Path) -> None:
    files = {
        "rangelib/__init__.py": "DateRange = DateTimeRange = object\n",
        "tests/conftest.py": RANGE_CONFTEST,
        "tests/test_date_range.py": RANGE_FILE.format(column="DateRange", extra=""),
        "tests/test_datetime_range.py": RANGE_FILE.format(column="DateTimeRange", extra=""),
    }
    assert [g for g in groups_of(tmp_path, files) if g.kind == "file"] == []


def test_files_over_other_models_of_one_project_type_overlap(tmp_path: Path) -> None:
    # the same scenarios over two model setups of one feature: one scenario base class
    files = {
        "rangelib/__init__.py": "DateRange = object\n",
        "tests/conftest.py": RANGE_CONFTEST,
        "tests/test_plain.py": RANGE_FILE.format(column="DateRange", extra=""),
        "tests/test_inherited.py": RANGE_FILE.format(
            column="DateRange", extra="\n        kind = sa.Column(sa.String(20))"
        ),
    }
    (group,) = [g for g in groups_of(tmp_path, files) if g.kind == "file"]
    assert "merge the files" in group.suggestion


SCHEMA_MODULE = """
import pytest
import sqlalchemy as sa


@pytest.fixture
def Category(Base):
    class Category(Base):
        __tablename__ = "category"
        id = sa.Column(sa.Integer, primary_key=True)
        name = sa.Column(sa.Unicode(255))
    return Category


@pytest.fixture
def Product(Base, Category):
    class Product(Base):
        __tablename__ = "product"
        id = sa.Column(sa.Integer, primary_key=True)
        category_id = sa.Column(sa.Integer, sa.ForeignKey("category.id"))
        category = sa.orm.relationship(Category, backref="{backref}")
    return Product


def test_{name}(Product):
    assert Product.__tablename__ == "product"
"""
BASE_CONFTEST = "import pytest\n\n\n@pytest.fixture\ndef Base():\n    return object\n"


def test_a_model_of_modules_with_other_schemas_is_not_hoisted(tmp_path: Path) -> None:
    files = {
        "conftest.py": BASE_CONFTEST,
        "tests/test_one.py": SCHEMA_MODULE.format(name="one", backref="products"),
        "tests/test_two.py": SCHEMA_MODULE.format(name="two", backref="items"),
    }
    assert [g for g in groups_of(tmp_path, files) if g.kind == "fixture"] == []


def test_a_schema_copied_whole_is_hoisted(tmp_path: Path) -> None:
    files = {
        "conftest.py": BASE_CONFTEST,
        "tests/test_one.py": SCHEMA_MODULE.format(name="one", backref="products"),
        "tests/test_two.py": SCHEMA_MODULE.format(name="two", backref="products"),
    }
    groups = [g for g in groups_of(tmp_path, files) if g.kind == "fixture"]
    assert sorted(g.members[0].name for g in groups) == ["Category", "Product"]


def test_a_model_declared_otherwise_by_a_sibling_module_is_not_hoisted(tmp_path: Path) -> None:
    files = {
        "conftest.py": BASE_CONFTEST,
        "tests/test_one.py": MODEL.format(name="one"),
        "tests/test_two.py": MODEL.format(name="two"),
        "tests/test_three.py": MODEL.format(name="three").replace('"user"', '"users"'),
    }
    assert [g for g in groups_of(tmp_path, files) if g.kind == "fixture"] == []


LOCALE = """
import pytest


@pytest.fixture(autouse=True)
def set_locale():
    import babel_i18n

    babel_i18n.get_locale = lambda: "en"


def test_{name}():
    assert True
"""


def test_copies_overriding_a_conftest_fixture_are_overrides(tmp_path: Path) -> None:
    conftest = (
        "import pytest\n\n\n@pytest.fixture(autouse=True)\ndef set_locale():\n"
        "    import babel_i18n\n\n    babel_i18n.get_locale = lambda: 'fi'\n"
    )
    files = {
        "tests/conftest.py": conftest,
        "tests/a/test_one.py": LOCALE.format(name="one"),
        "tests/b/test_two.py": LOCALE.format(name="two"),
    }
    assert [g for g in groups_of(tmp_path, files) if g.kind == "fixture"] == []
    del files["tests/conftest.py"]
    (group,) = [g for g in groups_of(tmp_path / "decoy", files) if g.kind == "fixture"]
    assert group.suggestion.startswith("move `set_locale` to tests/conftest.py (create it)")


def test_clone_analysis_parses_only_changed_files_with_a_cache(tmp_path, monkeypatch):
    """With a cache folder, what the defs of a file resolve to is kept by the file's
    content: a second run parses no file, an edit of one file parses that file only, and
    the groups are those of a run without the cache every time."""
    from auditor.parse import trees

    parsed: list[str] = []
    real_parse = trees.ParsedFiles._parse

    def counting(self: trees.ParsedFiles, path: str) -> object:
        parsed.append(path)
        return real_parse(self, path)

    monkeypatch.setattr(trees.ParsedFiles, "_parse", counting)
    body = (
        "    order = make_order(cart)\n    client.post('/checkout', order)\n    assert order.paid\n"
    )
    files = {
        "helpers.py": "def make_order(cart):\n    return cart\n",
        "test_a.py": f"from helpers import make_order\n\ndef test_a(client, cart):\n{body}",
        "test_b.py": f"from helpers import make_order\n\ndef test_b(client, cart):\n{body}",
        "test_c.py": f"from helpers import make_order\n\ndef test_c(client, cart):\n{body}",
    }
    settings = DuplicateSettings(min_tokens=1, loose_min_tokens=1)
    cache_dir = tmp_path / "cache"

    def run(cached: bool) -> tuple[DuplicateGroup, ...]:
        parsed.clear()
        suite = analyse_path(tmp_path).suite
        return find_duplicates(suite, settings, cache_dir=cache_dir if cached else None)

    write_tree(tmp_path, files)
    expected = run(cached=False)
    assert expected
    assert sorted(parsed) == ["test_a.py", "test_b.py", "test_c.py"]
    assert run(cached=True) == expected
    assert run(cached=True) == expected
    assert parsed == []
    edited = (tmp_path / "test_b.py").read_text().replace("/checkout", "/pay")
    (tmp_path / "test_b.py").write_text(edited)
    expected = run(cached=False)
    assert run(cached=True) == expected
    assert parsed == ["test_b.py"]
    (stored,) = cache_dir.rglob("clones-*.json")
    stored.write_bytes(b"garbage")  # a broken cache file is a miss, never an error
    assert run(cached=True) == expected
    assert sorted(parsed) == ["test_a.py", "test_b.py", "test_c.py"]


def test_a_test_overriding_its_base_class_test_is_no_copy_of_it(tmp_path: Path) -> None:
    # webargs' falcon class overrides the shared `test_parsing_headers` (falcon upper-cases
    # headers): a variant on purpose for that class, not a copy to merge; two look-alike
    # tests of the base class itself still are
    shared = """\
        class CommonTests:
            def test_headers(self, testapp):
                res = testapp.get("/echo_headers", headers={"name": "Fred"})
                assert res.json == {"name": "Fred"}

            def test_cookies(self, testapp):
                res = testapp.get("/echo_cookie", cookies={"name": "Steve"})
                assert res.json == {"name": "Steve"}

            def test_form(self, testapp):
                res = testapp.post("/echo_form", {"name": "Joe"})
                assert res.json == {"name": "Joe"}

            def test_form_again(self, testapp):
                res = testapp.post("/echo_form_again", {"name": "Ann"})
                assert res.json == {"name": "Ann"}
        """
    suite = {
        "pyproject.toml": "[tool.pytest.ini_options]\n",
        "src/app/__init__.py": "",
        "src/app/testing.py": shared,
        "tests/test_flask.py": """\
            from app.testing import CommonTests

            class TestFlask(CommonTests):
                pass
            """,
        "tests/test_falcon.py": """\
            from app.testing import CommonTests

            class TestFalcon(CommonTests):
                def test_headers(self, testapp):
                    res = testapp.get("/echo_headers", headers={"name": "Fred"})
                    assert res.json == {"NAME": "Fred"}

                def test_form_copy(self, testapp):
                    res = testapp.post("/echo_form", {"name": "Joe"})
                    assert res.json == {"name": "Joe"}
            """,
    }
    groups = groups_of(tmp_path, suite)
    grouped = {(m.path, m.name) for g in groups for m in g.members}
    assert ("tests/test_falcon.py", "test_headers") not in grouped
    assert ("tests/test_falcon.py", "test_form_copy") in grouped


def test_two_tests_of_a_shared_base_are_compared_under_one_class(tmp_path: Path) -> None:
    # webargs: each framework's class gives the base's tests its own `testapp`; the first
    # class (aiohttp) overrides one of them, so taking each def's first item compared the
    # two under different classes and called them "the same code over other fixtures"
    shared = """\
        class CommonTests:
            def test_form(self, testapp):
                res = testapp.post("/echo_form", {"name": "Joe"})
                assert res.json == {"name": "Joe"}

            def test_json(self, testapp):
                res = testapp.post("/echo_json", {"name": "Ann"})
                assert res.json == {"name": "Ann"}
        """

    def framework(name: str, extra: str = "") -> str:
        return (
            "import pytest\n\nfrom app.testing import CommonTests\n\n\n"
            f"class Test{name}(CommonTests):\n"
            "    @pytest.fixture\n"
            f"    def testapp(self):\n        return '{name}'\n{extra}"
        )

    override = (
        "\n    def test_form(self, testapp):\n        assert testapp.post('/echo_form_aio').ok\n"
    )
    groups = groups_of(
        tmp_path,
        {
            "pyproject.toml": "[tool.pytest.ini_options]\n",
            "src/app/__init__.py": "",
            "src/app/testing.py": shared,
            "tests/test_aiohttp.py": framework("Aiohttp", override),
            "tests/test_bottle.py": framework("Bottle"),
            "tests/test_flask.py": framework("Flask"),
        },
    )
    (group,) = [g for g in groups if set(names(g)) == {"test_form", "test_json"}]
    assert group.differs == ()
    assert group.clone == "parametrize"


def test_unittest_classes_differ_by_their_setup_not_by_pytests_stand_in_fixtures(
    tmp_path: Path,
) -> None:
    # Flask-AppBuilder: the same test body in classes with their own `setUp` was "the same
    # code over other fixtures (`_unittest_setUpClass_fixture_UserAPITestCase`, ...)";
    # classes inheriting one setup do not differ at all
    body = (
        "    def test_info(self):\n"
        "        client = self.app.test_client()\n"
        "        rv = client.get('api/v1/security/users/_info')\n"
        "        self.assertEqual(rv.status_code, 200)\n"
    )
    base = (
        "import unittest\n\n\nclass Base(unittest.TestCase):\n"
        "    def setUp(self):\n        self.app = make_app()\n"
    )
    inherit = groups_of(
        tmp_path / "inherit",
        {
            "tests/__init__.py": "",
            "tests/base.py": base,
            "tests/test_a.py": (
                "from tests.base import Base\n\n\n"
                f"class TestUsers(Base):\n{body}\n\nclass TestRoles(Base):\n{body}"
            ),
        },
    )
    own = groups_of(
        tmp_path / "own",
        {
            "tests/__init__.py": "",
            "tests/base.py": base,
            "tests/test_a.py": (
                "from tests.base import Base\n\n\n"
                "class TestA(Base):\n    def setUp(self):\n        self.app = make_app('a')\n\n"
                f"{body}\n\n"
                "class TestB(Base):\n    def setUp(self):\n        self.app = make_app(b=1)\n\n"
                f"{body}"
            ),
        },
    )
    assert [g.differs for g in inherit] == [()]
    assert [g.differs for g in own] == [("setup:setUp",)]
