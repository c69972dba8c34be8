"""The adjacency API of a fixture resolution: `Resolution.requests` and `Resolution.chain`,
on a small suite written to disk and on hand-made edges."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from auditor.analysis.resolution import Edge, Resolution
from auditor.pipeline import analyse_path
from auditor.testing import write_tree

CONFTEST = """\
import pytest

@pytest.fixture
def engine():
    return "engine"

@pytest.fixture
def db_session(engine):
    return engine

@pytest.fixture
def settings():
    return {}

@pytest.fixture
def client(settings, db_session):
    return settings, db_session

@pytest.fixture
def left(engine):
    return engine

@pytest.fixture
def right(engine):
    return engine

@pytest.fixture
def both(right, left):
    return right, left

@pytest.fixture(autouse=True)
def _clean():
    yield
"""

TESTS = """\
import pytest

def test_client(client):
    assert client

def test_dynamic(client, request):
    assert request.getfixturevalue("engine")

def test_both(both):
    assert both

@pytest.mark.usefixtures("settings")
def test_plain():
    pass
"""


@pytest.fixture
def resolution(tmp_path: Path) -> Resolution:
    write_tree(tmp_path, {"conftest.py": CONFTEST, "test_app.py": TESTS})
    return analyse_path(tmp_path).resolution


def key(resolution: Resolution, name: str) -> str:
    (found,) = [k for k, d in resolution.definitions.items() if d.name == name]
    return found


def by_source(resolution: Resolution, source: str) -> list[Edge]:
    return [e for e in resolution.edges if e.source == source]


# -- requests ---------------------------------------------------------------------------


def test_a_test_requests_its_arguments_marks_autouse_and_getfixturevalue(
    resolution: Resolution,
) -> None:
    requested = {(e.name, e.kind) for e in resolution.requests("test_app.py::test_dynamic")}
    assert requested == {
        ("client", "argument"),
        ("_clean", "autouse"),
        ("engine", "getfixturevalue"),
    }
    plain = {(e.name, e.kind) for e in resolution.requests("test_app.py::test_plain")}
    assert plain == {("settings", "usefixtures"), ("_clean", "autouse")}


def test_a_fixture_requests_its_arguments(resolution: Resolution) -> None:
    client = key(resolution, "client")
    edges = resolution.requests(client)
    assert {(e.name, e.target) for e in edges} == {
        ("settings", key(resolution, "settings")),
        ("db_session", key(resolution, "db_session")),
    }
    assert all(e.source == client and e.kind == "argument" for e in edges)


def test_requests_are_every_edge_of_the_source_sorted(resolution: Resolution) -> None:
    sources = {e.source for e in resolution.edges}
    assert len(sources) > 5
    for source in sources:
        expected = sorted(by_source(resolution, source), key=lambda e: (e.target, e.name, e.kind))
        assert list(resolution.requests(source)) == expected


def test_nothing_requested_is_empty(resolution: Resolution) -> None:
    assert resolution.requests(key(resolution, "engine")) == ()
    assert resolution.requests("no/such.py::test") == ()


def test_requests_are_indexed_once(resolution: Resolution) -> None:
    source = key(resolution, "client")
    assert resolution.requests(source) is resolution.requests(source)


# -- chain --------------------------------------------------------------------------------


def test_chain_names_the_requests_from_a_test_to_a_fixture(resolution: Resolution) -> None:
    engine = key(resolution, "engine")
    assert resolution.chain("test_app.py::test_client", engine) == (
        "client",
        "db_session",
        "engine",
    )
    assert resolution.chain(key(resolution, "client"), engine) == ("db_session", "engine")
    assert resolution.chain("test_app.py::test_client", key(resolution, "client")) == ("client",)


def test_chain_takes_the_shortest_path(resolution: Resolution) -> None:
    engine = key(resolution, "engine")
    assert resolution.chain("test_app.py::test_dynamic", engine) == ("engine",)


def test_chain_between_equal_paths_takes_the_first_request(resolution: Resolution) -> None:
    first = resolution.requests(key(resolution, "both"))[0].name
    assert first in ("left", "right")
    engine = key(resolution, "engine")
    assert resolution.chain("test_app.py::test_both", engine) == ("both", first, "engine")


def test_chain_to_itself_or_out_of_reach_is_empty(resolution: Resolution) -> None:
    engine = key(resolution, "engine")
    assert resolution.chain(engine, engine) == ()
    assert resolution.chain("test_app.py::test_plain", engine) == ()
    assert resolution.chain(engine, key(resolution, "client")) == ()
    assert resolution.chain("no/such.py::test", engine) == ()


# -- on hand-made edges -----------------------------------------------------------------------


def made(edges: list[Edge]) -> Resolution:
    return Resolution(
        tests={},
        edges=frozenset(edges),
        mismatches=(),
        unknown=(),
        cycles=(),
        used_by=Counter(),
        definitions={},
    )


EDGES = [
    Edge("t", "k:b", "b", "argument"),
    Edge("t", "k:a", "a", "argument"),
    Edge("t", "k:a", "a", "getfixturevalue"),
    Edge("k:a", "k:z", "z", "argument"),
    Edge("k:b", "k:z", "z", "argument"),
    Edge("k:z", "k:a", "a", "argument"),  # a cycle: the search must still end
]


def test_the_order_does_not_depend_on_how_the_edges_were_gathered() -> None:
    forward, backward = made(EDGES), made(EDGES[::-1])
    expected = (EDGES[1], EDGES[2], EDGES[0])
    assert forward.requests("t") == backward.requests("t") == expected


def test_chain_on_hand_made_edges() -> None:
    resolution = made(EDGES)
    assert resolution.chain("t", "k:z") == ("a", "z")  # "k:a" sorts before "k:b"
    assert resolution.chain("k:z", "k:b") == ()
    assert resolution.chain("k:b", "k:a") == ("z", "a")
