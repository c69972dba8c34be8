"""The fixture graph: closures, neighbourhoods, chains, cycles and the exports."""

from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET
from pathlib import Path

from auditor.analysis.graph import Chain, FixtureGraph
from auditor.analysis.resolution import resolve
from auditor.config import load_config
from auditor.model.build import BuildOptions, build_suite
from auditor.model.suite import Suite
from auditor.testing import write_tree

CONFTEST = """\
import pytest


@pytest.fixture(scope="session")
def engine():
    return 1


@pytest.fixture
def db(engine):
    return engine


@pytest.fixture
def user(db):
    return db


@pytest.fixture(autouse=True)
def clean():
    pass


@pytest.fixture
def a(b):
    pass


@pytest.fixture
def b(request):
    request.getfixturevalue("a")


@pytest.fixture
def lonely():
    pass
"""

TESTS = """\
def test_user(user):
    pass


def test_db(db):
    pass


def test_cycle(a):
    pass
"""

ENGINE = "conftest.py:5:engine@"
DB = "conftest.py:10:db@"
USER = "conftest.py:15:user@"
CLEAN = "conftest.py:20:clean@"
A = "conftest.py:25:a@"
B = "conftest.py:30:b@"


def suite_of(tmp_path: Path, files: dict[str, str]) -> Suite:
    write_tree(tmp_path, files)
    config = load_config([tmp_path], invocation_dir=tmp_path)
    return build_suite(
        config, [tmp_path], invocation_dir=tmp_path, options=BuildOptions(use_cache=False)
    )


def graph_of(tmp_path: Path, files: dict[str, str] | None = None) -> FixtureGraph:
    suite = suite_of(tmp_path, files or {"conftest.py": CONFTEST, "test_g.py": TESTS})
    return FixtureGraph(suite, resolve(suite))


def test_closure_of_a_test(tmp_path: Path) -> None:
    graph = graph_of(tmp_path)
    assert graph.closure("test_g.py::test_user") == {
        "test_g.py::test_user",
        USER,
        DB,
        ENGINE,
        CLEAN,
    }
    assert graph.closure("test_g.py::test_db") == {"test_g.py::test_db", DB, ENGINE, CLEAN}
    assert graph.closure("test_g.py::test_missing") == set()
    assert graph.is_test("test_g.py::test_db")
    assert not graph.is_test(DB)


def test_around_fixture_has_its_requesters_and_dependencies(tmp_path: Path) -> None:
    graph = graph_of(tmp_path)
    assert graph.around_fixture("db") == {
        DB,
        ENGINE,  # what it requests
        USER,  # what requests it
        "test_g.py::test_user",
        "test_g.py::test_db",
    }
    assert graph.around_fixture("lonely") == {"conftest.py:35:lonely@"}
    assert graph.around_fixture("no_such_fixture") == set()


def test_around_fixture_covers_every_definition_of_the_name(tmp_path: Path) -> None:
    graph = graph_of(
        tmp_path,
        {
            "conftest.py": "import pytest\n\n@pytest.fixture\ndef thing():\n    pass\n",
            "sub/conftest.py": ("import pytest\n\n@pytest.fixture\ndef thing(thing):\n    pass\n"),
            "sub/test_s.py": "def test_s(thing):\n    pass\n",
            "test_top.py": "def test_top(thing):\n    pass\n",
        },
    )
    outer, inner = "conftest.py:4:thing@", "sub/conftest.py:4:thing@sub"
    assert graph.fixture_keys("thing") == [outer, inner]
    assert graph.around_fixture("thing") == {
        outer,
        inner,
        "sub/test_s.py::test_s",
        "test_top.py::test_top",
    }
    assert graph.closure("test_top.py::test_top") == {"test_top.py::test_top", outer}
    assert [(i.key, o.key) for i, o in graph.overrides()] == [(inner, outer)]


def test_fan_in_used_by_and_unused(tmp_path: Path) -> None:
    graph = graph_of(tmp_path)
    assert graph.fan_in(DB) == 2  # test_db and the user fixture
    assert graph.used_by(DB) == 2  # test_db and test_user reach it
    assert graph.used_by(ENGINE) == 2
    assert graph.used_by(CLEAN) == 3  # autouse: every test
    assert graph.fan_in("not a node") == 0
    # autouse and fixtures only other fixtures request are used
    assert [d.name for d in graph.unused()] == ["lonely"]


def test_longest_chains(tmp_path: Path) -> None:
    graph = graph_of(tmp_path)
    assert graph.longest_chains() == [
        Chain((USER, DB, ENGINE), ("user", "db", "engine")),
        Chain((A, B), ("a", "b")),  # the cycle is broken, not followed forever
    ]
    assert graph.longest_chains(limit=1) == [Chain((USER, DB, ENGINE), ("user", "db", "engine"))]


def test_longest_chains_ties_do_not_depend_on_insertion_order(tmp_path: Path) -> None:
    files = {
        "conftest.py": (
            "import pytest\n\n"
            "@pytest.fixture\ndef zeta(base):\n    pass\n\n"
            "@pytest.fixture\ndef alpha(base):\n    pass\n\n"
            "@pytest.fixture\ndef base(left, right):\n    pass\n\n"
            "@pytest.fixture\ndef right():\n    pass\n\n"
            "@pytest.fixture\ndef left():\n    pass\n"
        ),
        "test_t.py": "def test_t(zeta, alpha):\n    pass\n",
    }
    suite = suite_of(tmp_path, files)
    resolution = resolve(suite)
    forward = FixtureGraph(suite, resolution).longest_chains()
    reordered = dataclasses.replace(suite, fixtures=tuple(reversed(suite.fixtures)))
    backward = FixtureGraph(reordered, resolution).longest_chains()
    assert forward == backward
    # equal lengths: chains in key order (zeta is defined first), and on a tie within a
    # chain the smallest next key (right, defined before left)
    assert [c.names for c in forward] == [
        ("zeta", "base", "right"),
        ("alpha", "base", "right"),
    ]


def test_cycles_through_getfixturevalue(tmp_path: Path) -> None:
    graph = graph_of(tmp_path)
    (cycle,) = graph.cycles()
    assert sorted(cycle) == [A, B]
    assert graph.graph.edges[B, A]["kind"] == "getfixturevalue"
    assert graph.graph.edges[A, B]["kind"] == "argument"


def test_no_cycles_in_a_tree(tmp_path: Path) -> None:
    graph = graph_of(
        tmp_path,
        {
            "conftest.py": "import pytest\n\n@pytest.fixture\ndef one():\n    pass\n",
            "test_t.py": "def test_t(one):\n    pass\n",
        },
    )
    assert graph.cycles() == []
    assert graph.longest_chains() == []  # a lone fixture is no chain


def test_to_json(tmp_path: Path) -> None:
    graph = graph_of(tmp_path)
    data = json.loads(graph.to_json(graph.closure("test_g.py::test_db")))
    assert [n["id"] for n in data["nodes"]] == sorted([CLEAN, ENGINE, DB, "test_g.py::test_db"])
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes[DB] == {
        "id": DB,
        "kind": "fixture",
        "name": "db",
        "path": "conftest.py",
        "line": 10,
        "scope": "function",
        "autouse": False,
        "origin": "conftest",
    }
    assert nodes["test_g.py::test_db"] == {
        "id": "test_g.py::test_db",
        "kind": "test",
        "name": "test_db",
        "path": "test_g.py",
        "line": 5,
    }
    assert data["edges"] == [
        {"source": DB, "target": ENGINE, "name": "engine", "kind": "argument"},
        {"source": "test_g.py::test_db", "target": DB, "name": "db", "kind": "argument"},
        {"source": "test_g.py::test_db", "target": CLEAN, "name": "clean", "kind": "autouse"},
    ]
    whole = json.loads(graph.to_json())
    assert {n["id"] for n in whole["nodes"]} >= {A, B, "conftest.py:35:lonely@"}


def test_to_dot(tmp_path: Path) -> None:
    graph = graph_of(tmp_path)
    dot = graph.to_dot(graph.closure("test_g.py::test_db"))
    # node ids follow the keys sorted as strings: db (line 10), clean (20), engine (5), test
    assert dot == (
        "digraph fixtures {\n"
        "  rankdir=LR;\n"
        '  n0 [label="db (function) conftest.py:10", shape=ellipse];\n'
        '  n1 [label="clean (function) conftest.py:20", shape=ellipse];\n'
        '  n2 [label="engine (session) conftest.py:5", shape=ellipse];\n'
        '  n3 [label="test_g.py::test_db", shape=box];\n'
        '  n0 -> n2 [label="argument"];\n'
        '  n3 -> n0 [label="argument"];\n'
        '  n3 -> n1 [label="autouse", style=dashed];\n'
        "}\n"
    )


def test_to_mermaid(tmp_path: Path) -> None:
    graph = graph_of(tmp_path)
    mermaid = graph.to_mermaid(graph.closure("test_g.py::test_cycle"))
    assert mermaid == (
        "flowchart LR\n"
        '  n0(["clean (function) conftest.py:20"])\n'
        '  n1(["a (function) conftest.py:25"])\n'
        '  n2(["b (function) conftest.py:30"])\n'
        '  n3["test_g.py::test_cycle"]\n'
        "  n1 -->|argument| n2\n"
        "  n2 -.->|getfixturevalue| n1\n"
        "  n3 -.->|autouse| n0\n"
        "  n3 -->|argument| n1\n"
    )


def test_quotes_in_labels_are_escaped(tmp_path: Path) -> None:
    graph = graph_of(
        tmp_path,
        {
            'we"ird/conftest.py': "import pytest\n\n@pytest.fixture\ndef f():\n    pass\n",
            'we"ird/test_q.py': "def test_q(f):\n    pass\n",
        },
    )
    nodes = graph.closure('we"ird/test_q.py::test_q')
    assert 'n1 [label="we\\"ird/test_q.py::test_q", shape=box];' in graph.to_dot(nodes)
    assert 'n0(["f (function) we#quot;ird/conftest.py:4"])' in graph.to_mermaid(nodes)


def test_to_graphml(tmp_path: Path) -> None:
    graph = graph_of(tmp_path)
    root = ET.fromstring(graph.to_graphml(graph.closure("test_g.py::test_db")))
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    keys = {k.get("id"): k.get("attr.name") for k in root.findall("g:key", ns)}
    (element,) = root.findall("g:graph", ns)
    assert element.get("edgedefault") == "directed"

    def data(node: ET.Element) -> dict[str | None, str | None]:
        return {keys[d.get("key")]: d.text for d in node.findall("g:data", ns)}

    nodes = {n.get("id"): data(n) for n in element.findall("g:node", ns)}
    assert set(nodes) == {CLEAN, ENGINE, DB, "test_g.py::test_db"}
    assert nodes[ENGINE]["scope"] == "session"
    assert nodes[CLEAN]["autouse"] == "True"
    assert nodes["test_g.py::test_db"]["kind"] == "test"
    edges = {
        (e.get("source"), e.get("target")): data(e)["kind"] for e in element.findall("g:edge", ns)
    }
    assert edges == {
        (DB, ENGINE): "argument",
        ("test_g.py::test_db", DB): "argument",
        ("test_g.py::test_db", CLEAN): "autouse",
    }
