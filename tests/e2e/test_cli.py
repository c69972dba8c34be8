"""The `scan` and `graph` commands end to end: exit codes, the JSON contract, the exports."""

from __future__ import annotations

import copy
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tests.e2e.helpers import (
    SAMPLES,
    RunCli,
    nodeids,
    report_schema,
    rules_at,
    run_process,
    schema_errors,
    write_suite,
)

CONFTEST = """\
import pytest


@pytest.fixture(scope="session")
def engine():
    return "engine"


@pytest.fixture
def db(engine):
    return engine


@pytest.fixture
def client(db):
    return db


@pytest.fixture
def clock():
    return 0
"""

TEST_API = """\
import pytest


def test_get(client):
    assert client == "engine"


def test_time(clock):
    assert clock == 0


@pytest.mark.parametrize("n", [1, 2])
def test_param(n, clock):
    assert n > clock
"""

CLEAN_SUITE = {"pytest.ini": "[pytest]\n", "conftest.py": CONFTEST, "test_api.py": TEST_API}

FINDINGS_CONFTEST = """\
import pytest


@pytest.fixture
def user():
    return "alice"


@pytest.fixture(scope="session")
def shared_client(user):
    return user


@pytest.fixture
def leftover():
    return 0
"""

FINDINGS_TESTS = """\
def test_login(shared_client):
    assert shared_client == "alice"


def test_cart(basket):
    assert basket
"""

FINDINGS_SUITE = {
    "pytest.ini": "[pytest]\n",
    "conftest.py": FINDINGS_CONFTEST,
    "test_shop.py": FINDINGS_TESTS,
}

EXPECTED_FINDINGS = [
    ("TA201", "conftest.py", 10),  # session `shared_client` requests function `user`
    ("TA203", "test_shop.py", 5),  # `basket` is defined nowhere
    ("TA204", "conftest.py", 15),  # `leftover` is never requested
]

LOCAL_FIXTURES = {"engine", "db", "client", "clock"}


# The suites are built once per module and only read; the tool's default cache (a hidden
# folder in the suite root, which pytest and the tool both skip) keeps the runs fast.
# Tests that change a suite or look at its folder build their own copy.


@pytest.fixture(scope="module")
def clean_suite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_suite(tmp_path_factory.mktemp("clean"), CLEAN_SUITE)


@pytest.fixture(scope="module")
def findings_suite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_suite(tmp_path_factory.mktemp("findings"), FINDINGS_SUITE)


def graph_json(run_cli: RunCli, suite: Path, *extra: str) -> dict[str, Any]:
    result = run_cli("graph", "--format", "json", *extra, cwd=suite)
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert isinstance(data, dict)
    return data


def names_by_kind(graph: dict[str, Any]) -> dict[str, set[str]]:
    kinds: dict[str, set[str]] = {"test": set(), "fixture": set()}
    for node in graph["nodes"]:
        kinds[node["kind"]].add(node["id"] if node["kind"] == "test" else node["name"])
    return kinds


# -- scan: exit codes ------------------------------------------------------------------


def test_scan_of_a_clean_suite_exits_0(run_cli: RunCli, clean_suite: Path) -> None:
    result = run_cli("scan", cwd=clean_suite)
    assert result.code == 0, result.out
    # the parametrized test counts once
    assert re.search(r"\b1 test files?, 1 conftest\.py, 3 tests\b", result.out)
    assert result.err == ""


def test_scan_json_of_a_clean_suite_has_no_findings(run_cli: RunCli, clean_suite: Path) -> None:
    result = run_cli("scan", "--format", "json", cwd=clean_suite)
    assert result.code == 0
    report = result.json()
    assert report["findings"] == []
    assert nodeids(report) == [
        "test_api.py::test_get",
        "test_api.py::test_param",
        "test_api.py::test_time",
    ]
    closures = {t["nodeid"]: set(t["fixtures"]) for t in report["tests"]}
    assert {"client", "db", "engine"} <= closures["test_api.py::test_get"]
    assert "clock" not in closures["test_api.py::test_get"]
    assert "clock" in closures["test_api.py::test_param"]


def test_scan_with_findings_exits_1(run_cli: RunCli, findings_suite: Path) -> None:
    result = run_cli("scan", "--format", "json", cwd=findings_suite)
    assert result.code == 1
    report = result.json()
    assert rules_at(report) == EXPECTED_FINDINGS
    by_rule = {f["rule"]: f for f in report["findings"]}
    assert by_rule["TA201"]["name"] == "scope-mismatch"
    assert by_rule["TA201"]["severity"] == "error"
    assert "shared_client" in by_rule["TA201"]["message"]
    assert "`user`" in by_rule["TA201"]["message"]
    assert by_rule["TA203"]["severity"] == "error"
    assert "basket" in by_rule["TA203"]["message"]
    assert by_rule["TA204"]["severity"] == "warning"
    assert "leftover" in by_rule["TA204"]["message"]


def test_terminal_scan_with_findings_shows_them_and_exits_1(
    run_cli: RunCli, findings_suite: Path
) -> None:
    result = run_cli("scan", cwd=findings_suite)
    assert result.code == 1
    for rule, path, line in EXPECTED_FINDINGS:
        assert f"{path}:{line}:" in result.out
        assert rule in result.out


def test_scan_with_a_broken_config_exits_2(run_cli: RunCli, tmp_path: Path) -> None:
    suite = write_suite(tmp_path, {**CLEAN_SUITE, "pytest.ini": "no section header\n"})
    result = run_cli("scan", "--no-cache", cwd=suite)
    assert result.code == 2
    assert result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("test-auditor: error:")
    assert "pytest.ini" in lines[0]


def test_unknown_format_is_a_usage_error(run_cli: RunCli, clean_suite: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run_cli("scan", "--format", "xml", cwd=clean_suite)
    assert exit_info.value.code == 2


def test_exit_status_of_a_real_process(tmp_path: Path) -> None:
    clean_suite = write_suite(tmp_path / "clean", CLEAN_SUITE)
    findings_suite = write_suite(tmp_path / "findings", FINDINGS_SUITE)
    clean = run_process("scan", "--no-cache", "--format", "json", cwd=clean_suite)
    dirty = run_process("scan", "--no-cache", "--format", "json", cwd=findings_suite)
    assert (clean.code, dirty.code) == (0, 1)
    assert clean.err == dirty.err == ""
    assert rules_at(dirty.json()) == EXPECTED_FINDINGS


# -- the JSON schema ---------------------------------------------------------------------


def test_shipped_schema_is_a_valid_2020_12_schema() -> None:
    schema = report_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_json_report_matches_the_schema(run_cli: RunCli, findings_suite: Path) -> None:
    result = run_cli("scan", "--format", "json", cwd=findings_suite)
    report = result.json()
    assert schema_errors(report) == []
    assert report["version"] == 1
    assert Path(report["rootdir"]) == findings_suite.resolve()
    fixtures = {f["name"]: f for f in report["fixtures"]}
    assert set(fixtures) == {"user", "shared_client", "leftover"}
    assert fixtures["shared_client"]["scope"] == "session"
    assert fixtures["shared_client"]["requires"] == ["user"]
    assert fixtures["shared_client"]["used_by"] == 1
    assert fixtures["leftover"]["used_by"] == 0
    assert fixtures["user"]["path"] == "conftest.py"
    assert fixtures["user"]["line"] == 5


def test_json_report_of_the_shop_sample_matches_the_schema(run_cli: RunCli, tmp_path: Path) -> None:
    shop = SAMPLES / "shop"
    default_cache = shop / ".test-auditor-cache"
    existed_before = default_cache.exists()  # the README's first command makes it
    # --cache-dir outside the repository: the scan must not write into the sample
    result = run_cli(
        "scan",
        "--cache-dir",
        str(tmp_path / "cache"),
        "--format",
        "json",
        str(shop),
        cwd=shop,
    )
    assert result.code in (0, 1)
    report = result.json()
    assert schema_errors(report) == []
    assert Path(report["rootdir"]) == shop.resolve()
    assert len(report["tests"]) > 50
    assert len(report["fixtures"]) > 10
    assert result.code == (1 if report["findings"] else 0)
    for entry in [*report["tests"], *report["fixtures"], *report["findings"]]:
        assert (shop / entry["path"]).is_file(), entry
    assert default_cache.exists() == existed_before


VALID_REPORT: dict[str, Any] = {
    "version": 1,
    "rootdir": "/src/project",
    "tests": [
        {
            "nodeid": "tests/test_a.py::TestA::test_x",
            "path": "tests/test_a.py",
            "line": 3,
            "tier": "unit",
            "fixtures": ["db"],
            "evidence": ["tests/test_a.py:3 uses no I/O fixture"],
            "extra": "welcome",
        }
    ],
    "fixtures": [
        {
            "name": "db",
            "path": "tests/conftest.py",
            "line": 7,
            "scope": "session",
            "autouse": False,
            "requires": [],
            "used_by": 1,
        }
    ],
    "findings": [
        {
            "rule": "TA204",
            "name": "unused-fixture",
            "severity": "warning",
            "path": "tests/conftest.py",
            "line": 7,
            "col": 0,
            "message": "fixture `db` is never requested",
            "fixable": False,
        }
    ],
    "duplicates": [
        {
            "kind": "test",
            "members": [
                {"path": "tests/test_a.py", "line": 3, "name": "test_x"},
                {"path": "tests/test_b.py", "line": 9, "name": "test_y"},
            ],
        }
    ],
    "summary": {"anything": "goes"},
}


def test_schema_accepts_a_full_hand_written_report() -> None:
    assert schema_errors(VALID_REPORT) == []


def _drop(key: str) -> Any:
    def mutate(report: dict[str, Any]) -> None:
        del report[key]

    return mutate


def _set(path: tuple[str | int, ...], value: object) -> Any:
    def mutate(report: dict[str, Any]) -> None:
        node: Any = report
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value

    return mutate


def _drop_in(path: tuple[str | int, ...], key: str) -> Any:
    def mutate(report: dict[str, Any]) -> None:
        node: Any = report
        for step in path:
            node = node[step]
        del node[key]

    return mutate


BROKEN_REPORTS = {
    "no findings": _drop("findings"),
    "no duplicates": _drop("duplicates"),
    "no rootdir": _drop("rootdir"),
    "version 2": _set(("version",), 2),
    "test without fixtures": _drop_in(("tests", 0), "fixtures"),
    "test without evidence": _drop_in(("tests", 0), "evidence"),
    "test fixtures not strings": _set(("tests", 0, "fixtures"), [1]),
    "test line is a string": _set(("tests", 0, "line"), "3"),
    "fixture scope unknown": _set(("fixtures", 0, "scope"), "request"),
    "fixture autouse not bool": _set(("fixtures", 0, "autouse"), "no"),
    "fixture used_by negative": _set(("fixtures", 0, "used_by"), -1),
    "fixture without requires": _drop_in(("fixtures", 0), "requires"),
    "rule code malformed": _set(("findings", 0, "rule"), "TA12"),
    "severity unknown": _set(("findings", 0, "severity"), "fatal"),
    "finding line negative": _set(("findings", 0, "line"), -1),
    "finding without col": _drop_in(("findings", 0), "col"),
    "fixable not bool": _set(("findings", 0, "fixable"), 0),
    "absolute path": _set(("findings", 0, "path"), "/src/project/tests/conftest.py"),
    "windows separators": _set(("tests", 0, "path"), "tests\\test_a.py"),
    "duplicate kind unknown": _set(("duplicates", 0, "kind"), "class"),
    "duplicate member without line": _drop_in(("duplicates", 0, "members", 0), "line"),
    "nodeid with parametrize brackets": _set(("tests", 0, "nodeid"), "t.py::test_x[1]"),
}


@pytest.mark.parametrize("mutate", BROKEN_REPORTS.values(), ids=BROKEN_REPORTS.keys())
def test_schema_rejects_a_broken_report(mutate: Any) -> None:
    report = copy.deepcopy(VALID_REPORT)
    mutate(report)
    assert schema_errors(report) != []


# -- --output and the cache --------------------------------------------------------------


def test_output_file_gets_the_json_report(
    run_cli: RunCli, findings_suite: Path, tmp_path: Path
) -> None:
    target = tmp_path / "report.json"
    result = run_cli("scan", "--format", "json", "--output", str(target), cwd=findings_suite)
    assert result.code == 1
    assert result.out == ""
    written = json.loads(target.read_text(encoding="utf-8"))
    printed = run_cli("scan", "--format", "json", cwd=findings_suite).json()
    assert written == printed


def test_output_file_gets_the_terminal_report(
    run_cli: RunCli, findings_suite: Path, tmp_path: Path
) -> None:
    target = tmp_path / "report.txt"
    result = run_cli("scan", "-o", str(target), cwd=findings_suite)
    assert result.code == 1
    assert result.out == ""
    text = target.read_text(encoding="utf-8")
    assert "test_shop.py:5:" in text
    assert "TA203" in text
    assert "\x1b[" not in text  # no colour codes in a file


def test_output_into_a_missing_folder_is_a_one_line_error(
    run_cli: RunCli, clean_suite: Path, tmp_path: Path
) -> None:
    target = tmp_path / "no" / "such" / "folder" / "report.json"
    result = run_cli("scan", "--format", "json", "--output", str(target), cwd=clean_suite)
    assert result.code == 2
    lines = result.err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("test-auditor: error:")


def test_cache_dir_is_used_and_gives_the_same_report(run_cli: RunCli, tmp_path: Path) -> None:
    findings_suite = write_suite(tmp_path / "suite", FINDINGS_SUITE)
    cache = tmp_path / "cache"
    args = ("scan", "--format", "json", "--cache-dir", str(cache))
    first = run_cli(*args, cwd=findings_suite)
    assert any(p.is_file() for p in cache.rglob("*"))
    second = run_cli(*args, cwd=findings_suite)
    assert (first.code, second.code) == (1, 1)
    assert first.json() == second.json()
    assert not (findings_suite / ".test-auditor-cache").exists()


def test_no_cache_writes_no_cache_folder(run_cli: RunCli, tmp_path: Path) -> None:
    clean_suite = write_suite(tmp_path, CLEAN_SUITE)
    result = run_cli("scan", "--no-cache", cwd=clean_suite)
    assert result.code == 0
    assert sorted(p.name for p in clean_suite.iterdir()) == [
        "conftest.py",
        "pytest.ini",
        "test_api.py",
    ]


# -- graph -------------------------------------------------------------------------------


EXPECTED_EDGES = {
    ("test_api.py::test_get", "client"),
    ("client", "db"),
    ("db", "engine"),
    ("test_api.py::test_time", "clock"),
    ("test_api.py::test_param", "clock"),
}


def _edge_names(graph: dict[str, Any]) -> set[tuple[str, str]]:
    label = {n["id"]: (n["id"] if n["kind"] == "test" else n["name"]) for n in graph["nodes"]}
    return {(label[e["source"]], label[e["target"]]) for e in graph["edges"]}


def test_graph_json_has_nodes_and_edges(run_cli: RunCli, clean_suite: Path) -> None:
    graph = graph_json(run_cli, clean_suite)
    ids = {n["id"] for n in graph["nodes"]}
    assert all(e["source"] in ids and e["target"] in ids for e in graph["edges"])
    assert _edge_names(graph) == EXPECTED_EDGES
    kinds = names_by_kind(graph)
    assert kinds["test"] == {
        "test_api.py::test_get",
        "test_api.py::test_time",
        "test_api.py::test_param",
    }
    assert kinds["fixture"] >= LOCAL_FIXTURES
    engine = next(n for n in graph["nodes"] if n.get("name") == "engine")
    assert (engine["scope"], engine["path"], engine["line"]) == ("session", "conftest.py", 5)


def test_graph_mermaid_is_a_flowchart(run_cli: RunCli, clean_suite: Path) -> None:
    result = run_cli("graph", "--format", "mermaid", cwd=clean_suite)
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].startswith("flowchart")
    graph = graph_json(run_cli, clean_suite)
    node_lines = [ln for ln in lines[1:] if re.fullmatch(r"\s*n\d+\(?\[.*\]\)?", ln)]
    edge_lines = [ln for ln in lines[1:] if re.fullmatch(r"\s*n\d+ -\.?->(\|[^|]*\|)? n\d+", ln)]
    assert len(node_lines) == len(graph["nodes"])
    assert len(edge_lines) == len(graph["edges"])
    assert len(lines) == 1 + len(node_lines) + len(edge_lines)
    assert any('["test_api.py::test_get"]' in ln for ln in node_lines)


DOT_NODE = re.compile(r'\s*(n\d+) \[label="((?:[^"\\]|\\.)*)", shape=(\w+)\];')
DOT_EDGE = re.compile(r"\s*(n\d+) -> (n\d+)(?: \[[^\]]*\])?;")


def test_graph_dot_parses_as_a_digraph(run_cli: RunCli, clean_suite: Path) -> None:
    result = run_cli("graph", "--format", "dot", cwd=clean_suite)
    assert result.code == 0
    lines = result.out.strip().splitlines()
    assert re.fullmatch(r"digraph \w+ \{", lines[0])
    assert lines[-1] == "}"
    labels: dict[str, str] = {}
    edges: list[tuple[str, str]] = []
    for line in lines[1:-1]:
        if node := DOT_NODE.fullmatch(line):
            labels[node.group(1)] = node.group(2)
        elif edge := DOT_EDGE.fullmatch(line):
            edges.append((edge.group(1), edge.group(2)))
        else:
            assert re.fullmatch(r"\s*\w+=\w+;", line), f"not DOT: {line!r}"
    assert all(a in labels and b in labels for a, b in edges)
    named = {(labels[a].split()[0], labels[b].split()[0]) for a, b in edges}
    assert named == EXPECTED_EDGES
    graph = graph_json(run_cli, clean_suite)
    assert len(labels) == len(graph["nodes"])


def test_graph_graphml_parses_as_xml(run_cli: RunCli, clean_suite: Path) -> None:
    result = run_cli("graph", "--format", "graphml", cwd=clean_suite)
    assert result.code == 0
    root = ET.fromstring(result.out.encode("utf-8"))
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    assert root.tag == "{http://graphml.graphdrawing.org/xmlns}graphml"
    graph_el = root.find("g:graph", ns)
    assert graph_el is not None
    assert graph_el.get("edgedefault") == "directed"
    node_ids = {n.get("id") for n in graph_el.findall("g:node", ns)}
    edges = {(e.get("source"), e.get("target")) for e in graph_el.findall("g:edge", ns)}
    graph = graph_json(run_cli, clean_suite)
    assert node_ids == {n["id"] for n in graph["nodes"]}
    assert edges == {(e["source"], e["target"]) for e in graph["edges"]}


def test_graph_output_file(run_cli: RunCli, clean_suite: Path, tmp_path: Path) -> None:
    target = tmp_path / "graph.mmd"
    result = run_cli("graph", "--output", str(target), cwd=clean_suite)
    assert result.code == 0
    assert result.out == ""
    assert target.read_text(encoding="utf-8").startswith("flowchart")


def test_graph_of_one_test_is_its_closure(run_cli: RunCli, clean_suite: Path) -> None:
    graph = graph_json(run_cli, clean_suite, "--test", "test_api.py::test_get")
    assert names_by_kind(graph) == {
        "test": {"test_api.py::test_get"},
        "fixture": {"client", "db", "engine"},
    }
    assert _edge_names(graph) == {
        ("test_api.py::test_get", "client"),
        ("client", "db"),
        ("db", "engine"),
    }


def test_graph_of_a_parametrized_test_id(run_cli: RunCli, clean_suite: Path) -> None:
    graph = graph_json(run_cli, clean_suite, "--test", "test_api.py::test_param[1]")
    assert names_by_kind(graph) == {"test": {"test_api.py::test_param"}, "fixture": {"clock"}}


def test_graph_of_one_fixture_has_its_users_and_dependencies(
    run_cli: RunCli, clean_suite: Path
) -> None:
    graph = graph_json(run_cli, clean_suite, "--fixture", "db")
    assert names_by_kind(graph) == {
        "test": {"test_api.py::test_get"},
        "fixture": {"client", "db", "engine"},
    }
    assert ("test_api.py::test_time", "clock") not in _edge_names(graph)


@pytest.mark.parametrize(
    ("option", "value"),
    [("--test", "test_api.py::test_missing"), ("--fixture", "no_such_fixture")],
    ids=["test", "fixture"],
)
def test_graph_of_something_unknown_exits_2_with_one_line(
    run_cli: RunCli, clean_suite: Path, option: str, value: str
) -> None:
    result = run_cli("graph", option, value, cwd=clean_suite)
    assert result.code == 2
    assert result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("test-auditor:")
    assert value in lines[0]


# -- tiers and duplicates ------------------------------------------------------------------


def test_scan_reports_tiers_and_duplicates_of_the_labelled_sample(
    run_cli: RunCli, tmp_path: Path
) -> None:
    sample = SAMPLES / "tiers"
    result = run_cli("scan", "--format", "json", "--cache-dir", str(tmp_path / "cache"), cwd=sample)
    report = result.json()
    assert schema_errors(report) == []
    tests = {t["nodeid"]: t for t in report["tests"]}
    slug = tests["tests/test_utils.py::test_slugify_roundtrip"]
    assert slug["tier"] == "integration"
    assert any("make_user" in e or "engine" in e for e in slug["evidence"])
    assert report["tiers"]["names"] == ["unit", "integration", "performance"]
    assert sum(report["tiers"]["counts"].values()) == len(report["tests"])
    kinds = {(d["kind"], d["clone"]) for d in report["duplicates"]}
    assert {("test", "exact"), ("test", "renamed"), ("test", "parametrize")} <= kinds
    assert ("fixture", "exact") in kinds
    discount = next(
        d for d in report["duplicates"] if d["members"][0]["name"] == "test_discount_10"
    )
    assert discount["clone"] == "parametrize"
    assert [m["name"] for m in discount["members"]] == [
        "test_discount_10",
        "test_discount_20",
        "test_discount_50",
    ]


def test_scan_markdown_shows_the_pyramid(run_cli: RunCli, tmp_path: Path) -> None:
    sample = SAMPLES / "tiers"
    result = run_cli(
        "scan", "--format", "markdown", "--cache-dir", str(tmp_path / "cache"), cwd=sample
    )
    text = result.out
    assert text.startswith("## test-auditor scan\n")
    assert "### Test pyramid" in text
    assert re.search(r"^\| unit \| \d+ \| \d+% \| █+ \|$", text, re.MULTILINE)
    assert "### Tiers per folder" in text
    assert "| `tests/unit` |" in text
    assert "### Duplicates" in text


def test_a_reader_that_is_gone_ends_the_command_quietly() -> None:
    """`test-auditor scan --format json | head -1`: when the reader has gone by the time the
    report is written, no 'Broken pipe' error and no traceback, and the shell's 141."""
    import subprocess
    import sys

    process = subprocess.Popen(
        [sys.executable, "-m", "auditor", "scan", str(SAMPLES / "tiers"), "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    process.stdout.close()  # gone before the scan (seconds) writes anything
    assert process.wait(timeout=60) == 141
    assert process.stderr.read() == b""


def test_the_summary_counts_items_as_pytest_counts_them(run_cli: RunCli, tmp_path: Path) -> None:
    """3 literal cases x a fixture with 2 params = 6 items; a fixture whose params are not
    a literal list makes the count a lower bound ("about")."""
    suite = write_suite(
        tmp_path,
        {
            "pytest.ini": "[pytest]\n",
            "conftest.py": "import pytest\n\n@pytest.fixture(params=['a', 'b'])\n"
            "def backend(request):\n    return request.param\n",
            "test_a.py": "import pytest\n\n@pytest.mark.parametrize('n', [1, 2, 3])\n"
            "def test_cases(n, backend):\n    assert n\n\n\ndef test_plain():\n    assert True\n",
        },
    )
    result = run_cli("scan", "--format", "json", "--no-cache", cwd=suite)
    summary = result.json()["summary"]
    assert (summary["tests"], summary["items"], summary["items_exact"]) == (2, 7, True)
    # a module-level list counts like a literal one (Flask-SQLAlchemy: params=test_classes)
    (suite / "conftest.py").write_text(
        "import pytest\n\nBACKENDS = ['a', 'b', 'c']\n\n@pytest.fixture(params=BACKENDS)\n"
        "def backend(request):\n    return request.param\n"
    )
    summary = run_cli("scan", "--format", "json", "--no-cache", cwd=suite).json()["summary"]
    assert (summary["items"], summary["items_exact"]) == (10, True)
    # params computed at run time: the count is a lower bound
    (suite / "conftest.py").write_text(
        "import pytest\n\ndef load():\n    return ['a', 'b']\n\n"
        "@pytest.fixture(params=load())\ndef backend(request):\n    return request.param\n"
    )
    summary = run_cli("scan", "--format", "json", "--no-cache", cwd=suite).json()["summary"]
    assert summary["items_exact"] is False
    terminal = run_cli("scan", "--no-cache", cwd=suite).out
    assert "2 tests (about 4 items as pytest counts them)" in terminal
