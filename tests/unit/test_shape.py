"""The def normaliser: which differences each digest sees and which it ignores."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import libcst as cst
import pytest

from auditor.parse import ModuleSummary, parse_bytes
from auditor.parse.shape import shape_of
from auditor.parse.summary import Shape


def shape(source: str) -> Shape:
    node = cst.parse_module(textwrap.dedent(source)).body[-1]
    assert isinstance(node, cst.FunctionDef)
    result = shape_of(node)
    assert result is not None
    return result


BASE = """
def test_total(client, cart):
    response = client.post("/carts", json={"items": [1, 2]})
    assert response.status_code == 201
    total = cart.total(discount=0.5)
    assert total == 42
"""


def test_formatting_comments_docstring_and_name_do_not_change_exact():
    reformatted = '''
    @  pytest.mark.slow
    def test_other_name(client, cart):  # a comment
        """A docstring is not code."""

        # a comment line
        response = (client.post('/carts',
                                json={'items': [1, 2,]}))
        assert (response.status_code == 201) ; total = cart.total(
            discount=0.5,
        )
        assert total == (42)
    '''
    base = shape("@pytest.mark.slow\n" + textwrap.dedent(BASE))
    assert shape(reformatted).exact == base.exact


def test_any_change_of_code_changes_exact():
    base = shape(BASE)
    for changed in (
        BASE.replace("== 42", "!= 42"),
        BASE.replace("client.post", "client.get"),
        BASE.replace("discount=", "rebate="),
        BASE.replace("cart.total", "cart.subtotal"),
        BASE.replace("client, cart", "client, cart, db"),
        BASE.replace("    assert total == 42\n", ""),
        "@pytest.mark.slow" + BASE,
    ):
        assert shape(changed).exact != base.exact, changed


def test_nesting_is_part_of_the_shape():
    assert (
        shape("def f():\n    f(a, g(b), c)\n").exact != shape("def f():\n    f(a, g(b, c))\n").exact
    )
    assert shape("def f():\n    x[a:]\n").exact != shape("def f():\n    x[:a]\n").exact
    if_two = "def f():\n    if a:\n        b()\n        c()\n"
    if_one = "def f():\n    if a:\n        b()\n    c()\n"
    assert shape(if_two).exact != shape(if_one).exact


def test_literals_digest_ignores_literal_values_only():
    base = shape(BASE)
    other_values = shape(
        BASE.replace('"/carts"', '"/baskets"').replace("0.5", "0.25").replace("42", "-7")
    )
    assert other_values.exact != base.exact
    assert other_values.literals == base.literals
    assert other_values.renamed == base.renamed
    # a literal of another kind is another placeholder
    assert shape(BASE.replace("42", '"42"')).literals != base.literals
    # names still count
    assert shape(BASE.replace("cart.total", "cart.subtotal")).literals != base.literals


def test_renamed_digest_ignores_consistent_renaming_of_bound_names():
    renamed = (
        BASE.replace("response", "resp")
        .replace("client", "api")
        .replace("total ==", "t ==")
        .replace("total =", "t =")
    )
    assert shape(renamed).renamed == shape(BASE).renamed
    assert shape(renamed).literals != shape(BASE).literals
    # inconsistent renaming is different code
    swapped = BASE.replace("assert total == 42", "assert response == 42")
    assert shape(swapped).renamed != shape(BASE).renamed


def test_renamed_digest_keeps_free_names_attributes_and_keywords():
    base = shape("def t(x):\n    assert isprime(x.value, strict=True)\n")
    for other in (
        "def t(x):\n    assert factorint(x.value, strict=True)\n",
        "def t(x):\n    assert isprime(x.number, strict=True)\n",
        "def t(x):\n    assert isprime(x.value, exact=True)\n",
    ):
        assert shape(other).renamed != base.renamed, other


ROUNDTRIP = """
def test_customer_roundtrip(session):
    customer = Customer(email="ann@example.test", slug="ann-lee")
    session.add(customer)
    loaded = session.get(Customer, customer.id)
    assert loaded.email == "ann@example.test"
    assert loaded.slug == "ann-lee"
"""
PLAN_ROUNDTRIP = """
def test_plan_roundtrip(session):
    plan = Plan(code="team", seats=10)
    session.add(plan)
    stored = session.get(Plan, plan.id)
    assert stored.code == "team"
    assert stored.seats == 10
"""


def test_loose_digest_renames_callees_attributes_keywords_and_literal_kinds():
    # Customer -> Plan (a callee), email/slug -> code/seats (keywords, then attributes),
    # "ann-lee" -> 10 (a literal of another kind)
    base, other = shape(ROUNDTRIP), shape(PLAN_ROUNDTRIP)
    assert base.renamed != other.renamed
    assert base.loose == other.loose
    # imported names and module attributes are names like any other
    imports = "def t(x):\n    from app.{m} import {f}\n    assert {f}(x).{a} == x.{a}\n"
    one = shape(imports.format(m="pricing", f="annual", a="total"))
    two = shape(imports.format(m="billing", f="monthly", a="amount"))
    assert one.renamed != two.renamed
    assert one.loose == two.loose


def test_loose_digest_renames_consistently_and_keeps_builtins():
    base = shape("def t(a):\n    assert f(a.x) == g(a.y)\n")
    assert shape("def t(b):\n    assert h(b.p) == k(b.q)\n").loose == base.loose
    # one name for two, or two names swapped against their uses, is other code
    for other in (
        "def t(a):\n    assert f(a.x) == f(a.y)\n",
        "def t(a):\n    assert f(a.x) == g(a.x)\n",
        "def t(a):\n    assert f(a.x) == a(f.y)\n",
    ):
        assert shape(other).loose != base.loose, other
    # builtins are not renamed (unless the def binds them): len is not sorted
    assert (
        shape("def t(a):\n    assert len(a) is None\n").loose
        != shape("def t(a):\n    assert sorted(a) is None\n").loose
    )
    assert (
        shape("def t(a):\n    len = a\n    return len\n").loose
        == shape("def t(a):\n    b = a\n    return b\n").loose
    )
    # the structure still counts
    assert (
        shape(ROUNDTRIP.replace("loaded.email ==", "loaded.email !=")).loose
        != shape(ROUNDTRIP).loose
    )


def test_names_bound_anywhere_in_the_def_are_renamed():
    comprehension = "def t():\n    return [n * 2 for n in items() if n]\n"
    renamed = "def t():\n    return [k * 2 for k in items() if k]\n"
    assert shape(comprehension).renamed == shape(renamed).renamed
    loops = (
        "def t():\n    for a, *b in pairs():\n        with open(a) as fh:\n            use(fh, b)\n"
    )
    other = (
        "def t():\n    for p, *q in pairs():\n        with open(p) as f:\n            use(f, q)\n"
    )
    assert shape(loops).renamed == shape(other).renamed


def test_values_are_the_literals_in_source_order():
    result = shape(
        """
        @pytest.mark.parametrize("n", [1, 2])
        def test(n):
            '''doc'''
            assert f(n, -3, 2.5) == f"x{n}" + "a" "b"
            assert g(True) is None
        """
    )
    assert result.values == ('"n"', "1", "2", "-3", "2.5", 'f"x{n}"', '"a" "b"', "True")


def test_values_are_capped_but_all_literals_count():
    many = "def t():\n    assert f(" + ", ".join(str(i) for i in range(40)) + ")\n"
    changed_late = many.replace("39)", "99)")
    assert len(shape(many).values) == 32
    assert shape(many).values == shape(changed_late).values
    assert shape(many).exact != shape(changed_late).exact


def test_size_and_shingles():
    small = shape("def t():\n    assert f(1)\n")
    big = shape(BASE)
    assert 0 < small.size < big.size
    assert list(big.shingles) == sorted(set(big.shingles))
    assert all(0 <= s < 2**32 for s in big.shingles)
    assert len(big.shingles) > 10
    # renaming does not change them, a different body does
    assert shape(BASE.replace("client", "api")).shingles == big.shingles
    extended = shape(BASE + "    assert cart.items == [1, 2]\n")
    shared = set(extended.shingles) & set(big.shingles)
    assert 0.6 < len(shared) / len(set(extended.shingles) | set(big.shingles)) < 1


def test_shingles_count_repeated_grams():
    def asserts(first: int, second: int = 0) -> set[int]:
        lines = ["    assert f(x) == g(x)\n"] * first + ["    assert h(x) != k(x)\n"] * second
        return set(shape("def t(x):\n" + "".join(lines)).shingles)

    one, three = asserts(1), asserts(3)
    assert one < three
    assert len(one) / len(three) < 0.5
    # the same statements in other proportions: equal as sets of grams, not as multisets
    even, skewed = asserts(5, 5), asserts(8, 2)
    assert len(even & skewed) / len(even | skewed) < 0.85


def test_shingles_and_digests_are_stable_across_processes():
    code = (
        "import json, libcst as cst, sys\n"
        "from auditor.parse.shape import shape_of\n"
        "s = shape_of(cst.parse_module(sys.stdin.read()).body[0])\n"
        "print(json.dumps([s.exact, s.renamed, list(s.shingles)]))\n"
    )
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run(
            [sys.executable, "-c", code],
            input=textwrap.dedent(BASE).lstrip(),
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        outputs.append(json.loads(result.stdout))
    assert outputs[0] == outputs[1]
    here = shape(BASE)
    assert outputs[0] == [here.exact, here.renamed, list(here.shingles)]


@pytest.mark.parametrize(
    "body",
    [
        "pass",
        "...",
        '"""Only a docstring."""',
        '"""Doc."""\n    pass',
        "pass; ...",
        "raise NotImplementedError",
        'raise NotImplementedError("z-transform not supported")',
    ],
)
def test_trivial_bodies_have_no_shape(body):
    node = cst.parse_module(f"def test_stub(a):\n    {body}\n").body[0]
    assert isinstance(node, cst.FunctionDef)
    assert shape_of(node) is None


def test_the_parser_gives_every_def_a_shape():
    source = textwrap.dedent(
        """
        import pytest

        @pytest.fixture
        def client():
            return make_client()

        def test_module(client):
            assert client.ok

        class TestThing:
            def test_method(self, client):
                assert client.ok

        def test_stub():
            pass
        """
    )
    summary = parse_bytes("test_x.py", source.encode())
    assert isinstance(summary, ModuleSummary)
    shapes = {f.name: f.shape for f in summary.functions}
    assert shapes["client"] is not None
    assert shapes["test_stub"] is None
    test_module = shapes["test_module"]
    method = summary.classes[0].functions[0].shape
    assert test_module is not None
    assert method is not None
    assert method.exact != test_module.exact  # `self` is one parameter more


VARIANT = """
{decorator}
def test_tutorial(clear_sqlmodel):
    from docs_src.advanced.decimal import {module} as mod

    mod.sqlite_url = "sqlite://"
    calls = []
    mod.main()
    assert calls == expected_calls
"""


def test_a_module_imported_under_an_alias_is_data_and_skip_decorators_are_left_out():
    """The same tutorial test over its Python-version variant (`tutorial001_py310 as
    mod`, skipped on older Pythons) is the same code up to literals: what a local import
    bound to an alias brings in is data, like a string; when a test runs is not its code."""
    plain = shape(VARIANT.format(decorator="", module="tutorial001"))
    variant = shape(VARIANT.format(decorator="@needs_py310", module="tutorial001_py310"))
    assert plain.exact != variant.exact
    assert plain.literals == variant.literals
    marked = shape(
        VARIANT.format(
            decorator="@pytest.mark.skipif(sys.version_info < (3, 10), reason='x')",
            module="tutorial001",
        )
    )
    assert marked.exact == plain.exact
    other = shape(VARIANT.format(decorator="@pytest.mark.usefixtures('db')", module="tutorial001"))
    assert other.exact != plain.exact


def test_an_import_without_an_alias_stays_code():
    one = shape("def test_a():\n    from app import views\n    assert views.index()\n")
    two = shape("def test_a():\n    from app import models\n    assert models.index()\n")
    assert one.literals != two.literals
