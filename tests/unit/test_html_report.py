"""The HTML report's page and data (auditor/report/html), the big-graph view of `graph`
(auditor/report/graph_view.py) and one percentage for one similarity everywhere."""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from auditor.config import load_config
from auditor.lint.registry import all_rules
from auditor.pipeline import ScanResult, scan
from auditor.report.graph_view import (
    MERMAID_MAX_TEXT,
    cluster_by_folder,
    limit_warnings,
    visible_nodes,
)
from auditor.report.html import render_leaks_html, render_scan_html
from auditor.report.html.data import SourceCache
from auditor.report.html.page import embed_json
from auditor.report.terminal import render_terminal
from auditor.types import percent

SCRIPT = "</script><script>alert(1)</script>"

CONFTEST = """import pytest


@pytest.fixture(scope="session")
def engine():
    return "sqlite://"


@pytest.fixture
def db(engine):
    yield engine


@pytest.fixture
def never_used():
    return 1
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@functools.cache
def scanned(root: Path) -> ScanResult:
    config = load_config([root], invocation_dir=root)
    from auditor.model.build import BuildOptions

    return scan(
        config, [root], rules=all_rules(), build=BuildOptions(use_cache=False), invocation_dir=root
    )


def page_data(page: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/json" id="ta-data">(.*?)</script>', page, re.S)
    assert match is not None
    data = json.loads(match.group(1))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    body = (
        "    value = {'a': [1, 2, 3], 'b': 'some words to make it long enough'}\n"
        f"    text = {SCRIPT!r} + str(value) + 'and a few more words here'\n"
        "    assert len(text) > 10 and value['a'] == [1, 2, 3] and text.startswith('<')\n"
    )
    return write(
        tmp_path_factory.mktemp("suite"),
        {
            "pytest.ini": "[pytest]\n",
            "tests/conftest.py": CONFTEST + f"\nimport os\n\nos.environ[{SCRIPT!r}] = '1'\n",
            "tests/api/test_api.py": f"def test_one(db):\n{body}\n\ndef test_two(db):\n{body}",
            "tests/test_plain.py": "def test_plain():\n    assert 1 + 1 == 2\n",
        },
    )


def test_embedded_json_cannot_end_the_script_element() -> None:
    text = embed_json({"name": SCRIPT, "other": "a & b <!-- c \u2028"})
    assert "<" not in text
    assert ">" not in text
    assert "&" not in text
    assert "\u2028" not in text
    assert json.loads(text) == {"name": SCRIPT, "other": "a & b <!-- c \u2028"}


def test_scan_page_is_self_contained_and_escapes_user_strings(suite: Path) -> None:
    result = scanned(suite)
    page = render_scan_html(result.report, graph=result.analysis.graph, rules=all_rules())
    # exactly the page's own two scripts; the data's </script> never closes one
    assert page.count("<script") == 2
    assert page.count("</script>") == 2
    assert SCRIPT not in page
    # nothing is fetched: no URL but the empty data: icon; the policy forbids loads
    assert re.findall(r"(?:src|href)=\"([^\"]*)\"", page) == ["data:,"]
    without_data = re.sub(r'id="ta-data">.*?</script>', "", page, flags=re.S)
    assert set(re.findall(r"https?://[^\s'\"]*", without_data)) == {"http://www.w3.org/2000/svg"}
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)
    assert policy is not None
    script = page.rsplit("<script>", 1)[1].split("</script>", 1)[0]
    style = page.split("<style>", 1)[1].split("</style>", 1)[0]
    for text in (script, style):
        digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy.group(1)
    assert "default-src 'none'" in policy.group(1)


def test_scan_page_embeds_the_scan_json_and_what_the_views_need(suite: Path) -> None:
    result = scanned(suite)
    page = render_scan_html(result.report, graph=result.analysis.graph, rules=all_rules())
    data = page_data(page)
    from auditor.report.json_report import report_dict

    assert data["scan"] == json.loads(json.dumps(report_dict(result.report)))
    assert data["leaks"] is None
    extra = data["extra"]
    findings = data["scan"]["findings"]
    assert len(extra["finding_lines"]) == len(findings)
    environ = next(i for i, f in enumerate(findings) if f["rule"] == "TA301")
    assert SCRIPT in extra["finding_lines"][environ]
    assert set(extra["rules"]) == {f["rule"] for f in findings}
    assert extra["rules"]["TA301"]["doc"].startswith("## What it does")
    group = next(g for g in data["scan"]["duplicates"] if g["kind"] == "test")
    code = extra["duplicates"][data["scan"]["duplicates"].index(group)]["code"]
    assert code[0].startswith("def test_one(db):")
    assert SCRIPT in code[0]
    graph = extra["graph"]
    names = [d[0] for d in graph["defs"]]
    db = names.index("db")
    assert graph["defs"][db][7] == [names.index("engine")]  # db requests engine
    assert graph["defs"][db][3] == "function"
    assert graph["defs"][db][6] == 2
    assert graph["defs"][names.index("never_used")][6] == 0
    first = [t["nodeid"] for t in data["scan"]["tests"]].index("tests/api/test_api.py::test_one")
    requests, closure = graph["tests"][first]
    assert requests == [db]
    assert {names[i] for i in closure} == {"db", "engine"}


def test_leaks_page_embeds_the_leaks_json_and_the_flaky_rates() -> None:
    leaks = {
        "version": 1,
        "seed": 1,
        "rootdir": "/x",
        "victims": [],
        "pairs": [
            {
                "polluter": "t.py::test_a",
                "victim": "t.py::test_b",
                "state": [SCRIPT],
                "reproduce": "pytest -p no:randomly t.py::test_a t.py::test_b",
            }
        ],
        "flaky": [{"nodeid": "t.py::test_c", "failure_rate": 0.375}],
    }
    page = render_leaks_html(leaks)
    assert SCRIPT not in page
    data = page_data(page)
    assert data["leaks"] == leaks
    assert data["scan"] is None
    assert data["extra"]["flaky_rates"] == ["38%"]


def test_duplicate_code_is_the_whole_def_with_its_decorators(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"t.py": "import pytest\n\n\n@pytest.mark.slow\ndef test_a():\n    x = 1\n    assert x\n"},
    )
    sources = SourceCache(str(tmp_path))
    expected = "@pytest.mark.slow\ndef test_a():\n    x = 1\n    assert x"
    assert sources.definition("t.py", 5) == expected
    assert sources.definition("t.py", 4) == expected
    assert sources.definition("t.py", 1) is None
    assert sources.definition("missing.py", 1) is None
    assert sources.line("t.py", 6) == "    x = 1"


# -- graph for big suites ------------------------------------------------------------------


def test_unused_fixtures_and_builtins_are_hidden_unless_all(suite: Path) -> None:
    graph = scanned(suite).analysis.graph
    shown = visible_nodes(graph, show_all=False)
    assert shown is not None
    names = {graph.graph.nodes[n].get("name") for n in shown}
    assert {"db", "engine", "test_one"} <= names
    assert "never_used" not in names
    assert "tmp_path" not in names
    assert visible_nodes(graph, show_all=True) is None


def test_clustered_graph_shows_each_folder_tests_as_one_node(suite: Path) -> None:
    graph = scanned(suite).analysis.graph
    shown = visible_nodes(graph, show_all=False)
    clustered = cluster_by_folder(graph, shown, collapse_fixtures=False)
    labels = {(n.cluster, n.label) for n in clustered.nodes}
    assert ("tests/api", "2 tests") in labels
    assert ("tests", "1 test") in labels
    assert any(n.label.startswith("db (function) tests/conftest.py") for n in clustered.nodes)
    mermaid = clustered.to_mermaid()
    assert mermaid.startswith("flowchart LR\n")
    assert mermaid.count("subgraph") == mermaid.count("  end") == 2
    assert "|2 requests|" in mermaid  # the two tests of tests/api request db
    dot = clustered.to_dot()
    assert dot.count("subgraph cluster_") == 2
    assert dot.rstrip().endswith("}")
    collapsed = cluster_by_folder(graph, shown, collapse_fixtures=True)
    assert {n.label for n in collapsed.nodes} == {"2 tests", "1 test", "2 fixtures"}


def test_mermaid_limits_are_named() -> None:
    assert limit_warnings("flowchart LR\n  n0 --> n1\n") == []
    (warning,) = limit_warnings("flowchart LR\n" + "x" * MERMAID_MAX_TEXT)
    assert "50,000" in warning
    assert "maxTextSize" in warning
    edges = "flowchart LR\n" + "".join(f"  n{i} --> n{i + 1}\n" for i in range(501))
    (warning,) = limit_warnings(edges)
    assert "501 edges" in warning
    assert "maxEdges" in warning


# -- one number for one thing --------------------------------------------------------------


@pytest.mark.parametrize(
    ("share", "text"), [(0.7249, "72%"), (0.725, "72%"), (0.73, "73%"), (0.996, "99%"), (1, "100%")]
)
def test_percent_rounds_down(share: float, text: str) -> None:
    assert percent(share) == text


def test_a_near_pair_is_the_same_percentage_in_the_finding_and_the_terminal(
    tmp_path: Path,
) -> None:
    steps = [
        f"    total_{i} = compute({i}, 'v{i}')\n    assert total_{i} > {i}\n" for i in range(6)
    ]
    first = "def test_first():\n" + "".join(steps)
    second = "def test_second():\n" + "".join(steps[:5]) + "    assert extra_step() is None\n"
    write(tmp_path, {"pytest.ini": "[pytest]\n", "test_near.py": f"{first}\n\n{second}"})
    report = scanned(tmp_path).report
    near = [g for g in report.duplicates if g.clone == "near"]
    assert near, "the two tests are near clones"
    shown = percent(near[0].similarity)
    messages = [f.message for f in report.findings if f.rule == "TA505" or "similar" in f.message]
    assert messages
    assert all(shown in m for m in messages)
    console = Console(file=io.StringIO(), width=200)
    render_terminal(report, console)
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert f"{shown} alike" in output
    assert re.findall(r"(\d+)% (?:alike|similar)", output) == [shown[:-1]] * len(
        re.findall(r"(\d+)% (?:alike|similar)", output)
    )
