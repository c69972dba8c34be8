"""Bad input becomes a finding or a one-line error: never a traceback, never lost tests.

Each case builds a small suite in a temporary folder. Cases where a crash or a hang would
take the test process down with it (symlink loops, harmful conftests, config errors, deep
nesting) run the tool in a real process.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import (
    SAMPLES,
    Result,
    RunCli,
    nodeids,
    rules_at,
    run_process,
    schema_errors,
    write_suite,
)

GOOD_TESTS = """\
def test_one():
    assert 1 + 1 == 2


def test_two():
    assert "a" < "b"
"""

GOOD_IDS = ["test_good.py::test_one", "test_good.py::test_two"]


def scan_json(run_cli: RunCli, suite: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    result = run_cli("scan", "--no-cache", "--format", "json", *extra, cwd=suite)
    assert result.err == ""
    report = result.json()
    assert schema_errors(report) == []
    return result.code, report


def finding(report: dict[str, Any], rule: str) -> dict[str, Any]:
    matches = [f for f in report["findings"] if f["rule"] == rule]
    assert len(matches) == 1, report["findings"]
    found: dict[str, Any] = matches[0]
    return found


def assert_one_line_error(result: Result, *mentions: str) -> None:
    assert result.code == 2, (result.out, result.err)
    assert result.out == ""
    assert "Traceback" not in result.err
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("test-auditor: error:")
    for mention in mentions:
        assert mention in lines[0]


# -- unreadable files --------------------------------------------------------------------


def test_syntax_error_is_a_finding_at_its_line(run_cli: RunCli, tmp_path: Path) -> None:
    suite = write_suite(
        tmp_path,
        {
            "pytest.ini": "[pytest]\n",
            "test_good.py": GOOD_TESTS,
            "test_broken.py": "import os\n\n\ndef test_fine():\n    assert os.sep\nx = = 1\n",
        },
    )
    code, report = scan_json(run_cli, suite)
    assert code == 1
    assert rules_at(report) == [("TA100", "test_broken.py", 6)]
    broken = finding(report, "TA100")
    assert broken["name"] == "unreadable-file"
    assert broken["severity"] == "error"
    assert broken["col"] == 4  # Python's offset 5, 0-based
    assert "syntax" in broken["message"]
    assert nodeids(report) == GOOD_IDS  # pytest cannot collect test_broken.py either


SYNTAX_ERRORS = {
    "missing colon": "import os\n\n\ndef test_c()\n    assert os\n",
    "unmatched paren": "import os\n\n\ndef test_c():\n    return )\n",
    "bad dedent": "def test_c():\n    if True:\n        x = 1\n      y = 2\n",
    "python 2 print": "import os\n\n\ndef test_c():\n    print 'x'\n",
    "unclosed bracket": "import os\n\nx = [1,\n\ndef test_c():\n    pass\n",
}


@pytest.mark.parametrize("source", SYNTAX_ERRORS.values(), ids=SYNTAX_ERRORS.keys())
def test_syntax_error_line_is_the_one_python_reports(
    run_cli: RunCli, tmp_path: Path, source: str
) -> None:
    with pytest.raises(SyntaxError) as python_error:
        compile(source, "test_broken.py", "exec")
    suite = write_suite(tmp_path, {"pytest.ini": "[pytest]\n", "test_broken.py": source})
    code, report = scan_json(run_cli, suite)
    assert code == 1
    assert rules_at(report) == [("TA100", "test_broken.py", python_error.value.lineno)]


def test_syntax_error_in_a_conftest_leaves_other_tests_reported(
    run_cli: RunCli, tmp_path: Path
) -> None:
    suite = write_suite(
        tmp_path,
        {
            "pytest.ini": "[pytest]\n",
            "test_good.py": GOOD_TESTS,
            "sub/conftest.py": "import pytest\n\n\n@pytest.fixture\ndef f(:\n    pass\n",
            "sub/test_sub.py": "def test_sub():\n    pass\n",
        },
    )
    code, report = scan_json(run_cli, suite)
    assert code == 1
    assert ("TA100", "sub/conftest.py", 5) in rules_at(report)
    assert set(GOOD_IDS) <= set(nodeids(report))


def test_binary_file_named_like_a_test(run_cli: RunCli, tmp_path: Path) -> None:
    suite = write_suite(
        tmp_path,
        {
            "pytest.ini": "[pytest]\n",
            "test_good.py": GOOD_TESTS,
            "test_x.py": b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8,
        },
    )
    code, report = scan_json(run_cli, suite)
    assert code == 1
    assert rules_at(report) == [("TA100", "test_x.py", 1)]
    assert "binary" in finding(report, "TA100")["message"]
    assert nodeids(report) == GOOD_IDS


def test_nul_byte_after_the_first_8_kib_is_unreadable(run_cli: RunCli, tmp_path: Path) -> None:
    source = b"def test_a():\n    pass\n" + b"# padding\n" * 1000 + b"# \x00\n"
    with pytest.raises((SyntaxError, ValueError)):
        compile(source, "test_nul.py", "exec")
    suite = write_suite(tmp_path, {"pytest.ini": "[pytest]\n", "test_nul.py": source})
    code, report = scan_json(run_cli, suite)
    assert code == 1
    assert [r[:2] for r in rules_at(report)] == [("TA100", "test_nul.py")]
    assert report["tests"] == []


LATIN1_CONFTEST = (
    "# -*- coding: latin-1 -*-\n"
    "import pytest\n"
    "\n"
    "\n"
    "@pytest.fixture\n"
    "def menu():\n"
    '    return "cr\xe8me br\xfbl\xe9e"\n'
).encode("latin-1")

LATIN1_TESTS = (
    "# -*- coding: latin-1 -*-\n"
    "def test_accent():\n"
    '    assert "caf\xe9".endswith("\xe9")\n'
    "\n"
    "\n"
    "class TestMenu:\n"
    "    def test_menu(self, menu):\n"
    '        assert "\xe8" in menu\n'
).encode("latin-1")


def test_latin1_file_with_a_coding_cookie_is_read(run_cli: RunCli, tmp_path: Path) -> None:
    with pytest.raises(UnicodeDecodeError):
        LATIN1_TESTS.decode("utf-8")
    suite = write_suite(
        tmp_path,
        {"pytest.ini": "[pytest]\n", "conftest.py": LATIN1_CONFTEST, "test_latin.py": LATIN1_TESTS},
    )
    code, report = scan_json(run_cli, suite)
    assert report["findings"] == []
    assert code == 0
    lines = {t["nodeid"]: t["line"] for t in report["tests"]}
    assert lines == {"test_latin.py::test_accent": 2, "test_latin.py::TestMenu::test_menu": 7}
    menu = [f for f in report["fixtures"] if f["name"] == "menu"]
    assert [(f["path"], f["line"], f["used_by"]) for f in menu] == [("conftest.py", 6, 1)]


def test_utf8_file_with_a_bom_is_read(run_cli: RunCli, tmp_path: Path) -> None:
    source = "\ufeffdef test_bom():\n    assert 'é'.upper() == 'É'\n".encode()
    suite = write_suite(tmp_path, {"pytest.ini": "[pytest]\n", "test_bom.py": source})
    code, report = scan_json(run_cli, suite)
    assert (code, report["findings"]) == (0, [])
    assert nodeids(report) == ["test_bom.py::test_bom"]


def test_non_utf8_file_without_a_cookie_is_bad_encoding(run_cli: RunCli, tmp_path: Path) -> None:
    source = "def test_n():\n    assert 'caf\xe9'\n".encode("latin-1")
    suite = write_suite(
        tmp_path,
        {"pytest.ini": "[pytest]\n", "test_good.py": GOOD_TESTS, "test_nocookie.py": source},
    )
    code, report = scan_json(run_cli, suite)
    assert code == 1
    assert [r[:2] for r in rules_at(report)] == [("TA100", "test_nocookie.py")]
    unreadable = finding(report, "TA100")
    assert unreadable["severity"] == "error"
    assert "utf-8" in unreadable["message"].lower()
    assert nodeids(report) == GOOD_IDS


def test_unknown_coding_cookie_is_bad_encoding(run_cli: RunCli, tmp_path: Path) -> None:
    source = "# -*- coding: klingon -*-\ndef test_k():\n    pass\n"
    suite = write_suite(
        tmp_path,
        {"pytest.ini": "[pytest]\n", "test_good.py": GOOD_TESTS, "test_klingon.py": source},
    )
    code, report = scan_json(run_cli, suite)
    assert code == 1
    assert rules_at(report) == [("TA100", "test_klingon.py", 1)]
    assert "klingon" in finding(report, "TA100")["message"]
    assert nodeids(report) == GOOD_IDS


def test_empty_test_file_is_fine(run_cli: RunCli, tmp_path: Path) -> None:
    suite = write_suite(
        tmp_path, {"pytest.ini": "[pytest]\n", "test_good.py": GOOD_TESTS, "test_empty.py": ""}
    )
    code, report = scan_json(run_cli, suite)
    assert (code, report["findings"]) == (0, [])
    assert nodeids(report) == GOOD_IDS


# -- a huge file -------------------------------------------------------------------------

FIVE_MB = 5 * 1024 * 1024
DOC = "Generated case; " + "the quick brown fox jumps over the lazy dog " * 21


def _huge_module() -> tuple[str, dict[str, int]]:
    """About 5 MB: 4500 test functions and a class of 500 test methods."""
    parts: list[str] = ["import pytest\n\n\n"]
    lines: dict[str, int] = {}
    line = 4
    for i in range(4500):
        lines[f"test_huge.py::test_generated_{i:05d}"] = line
        parts.append(
            f"def test_generated_{i:05d}():\n"
            f'    """{DOC}"""\n'
            f'    payload = {{"id": {i}, "name": "item-{i}", "tags": ["a", "b"]}}\n'
            f'    assert payload["id"] == {i}, "case {i}"\n'
            "\n\n"
        )
        line += 6
    parts.append("class TestGenerated:\n")
    line += 1
    for i in range(500):
        lines[f"test_huge.py::TestGenerated::test_method_{i:04d}"] = line
        parts.append(
            f"    def test_method_{i:04d}(self):\n"
            f'        """{DOC}"""\n'
            f"        assert {i} * 2 == {2 * i}\n"
            "\n"
        )
        line += 4
    return "".join(parts), lines


@pytest.mark.slow
def test_five_megabyte_file_is_parsed_completely(run_cli: RunCli, tmp_path: Path) -> None:
    source, expected_lines = _huge_module()
    assert len(source.encode()) >= FIVE_MB
    suite = write_suite(
        tmp_path, {"pytest.ini": "[pytest]\n", "test_huge.py": source, "test_good.py": GOOD_TESTS}
    )
    code, report = scan_json(run_cli, suite)
    # the generated tests differ only in literals: two parametrize candidates (TA502)
    candidates = [f for f in report["findings"] if f["rule"] == "TA502"]
    others = [f for f in report["findings"] if f["rule"] != "TA502"]
    assert (code, others) == (0, [])
    assert [(f["line"], len(f["message"]) < 800) for f in candidates] == [(4, True), (27005, True)]
    huge = {t["nodeid"]: t["line"] for t in report["tests"] if t["path"] == "test_huge.py"}
    assert len(huge) == 5000
    assert huge == expected_lines
    assert set(GOOD_IDS) <= set(nodeids(report))


@pytest.mark.parametrize(
    "depth",
    [
        300,
        5000,
    ],
)
def test_deeply_nested_expression_is_a_finding_not_a_crash(tmp_path: Path, depth: int) -> None:
    source = "x = " + "(" * depth + ")" * depth + "\n\n\ndef test_deep():\n    pass\n"
    with pytest.raises(SyntaxError):
        compile(source, "test_deep.py", "exec")
    suite = write_suite(
        tmp_path,
        {"pytest.ini": "[pytest]\n", "test_good.py": GOOD_TESTS, "test_deep.py": source},
    )
    result = run_process("scan", "--no-cache", "--format", "json", cwd=suite)
    assert "Traceback" not in result.err
    assert result.code == 1, f"exit status {result.code}"
    report = result.json()
    assert [r[:2] for r in rules_at(report)] == [("TA100", "test_deep.py")]
    assert nodeids(report) == GOOD_IDS


# -- paths pytest cannot walk ------------------------------------------------------------


def test_symlink_loop_is_reported_and_the_walk_ends(tmp_path: Path) -> None:
    suite = write_suite(
        tmp_path,
        {
            "pytest.ini": "[pytest]\n",
            "test_good.py": GOOD_TESTS,
            "pkg/test_pkg.py": "def test_in_pkg():\n    assert True\n",
        },
    )
    os.symlink(suite / "pkg", suite / "pkg" / "loop")
    result = run_process("scan", "--no-cache", "--format", "json", cwd=suite)
    assert "Traceback" not in result.err
    assert result.code == 1
    report = result.json()
    assert schema_errors(report) == []
    assert rules_at(report) == [("TA101", "pkg/loop", 1)]
    loop = finding(report, "TA101")
    assert loop["name"] == "collection-path-problem"
    assert "loop" in loop["message"]
    assert nodeids(report) == ["pkg/test_pkg.py::test_in_pkg", *GOOD_IDS]
    graph = run_process("graph", "--no-cache", "--format", "json", cwd=suite)
    assert (graph.code, graph.err) == (0, "")
    assert "pkg/test_pkg.py::test_in_pkg" in {n["id"] for n in graph.json()["nodes"]}


def test_dangling_symlink_and_missing_path(run_cli: RunCli, tmp_path: Path) -> None:
    suite = write_suite(tmp_path, {"pytest.ini": "[pytest]\n", "test_good.py": GOOD_TESTS})
    os.symlink(suite / "gone.py", suite / "test_gone.py")
    code, report = scan_json(run_cli, suite, ".", "no_such_dir")
    assert code == 1
    assert rules_at(report) == [("TA101", "no_such_dir", 1), ("TA101", "test_gone.py", 1)]
    assert nodeids(report) == GOOD_IDS


# -- fixtures pytest makes at run time ---------------------------------------------------

DYNAMIC_CONFTESTS = {
    "globals loop": (
        'import pytest\n\nfor n in ("a", "b"):\n    globals()[n] = pytest.fixture(lambda: 1)\n'
    ),
    "computed target": (
        "import pytest\n\n\ndef make():\n    return 1\n\n\nmade = {}\n"
        'made["foo"] = pytest.fixture(make)\n'
    ),
}

# the line of the statement that creates the fixtures in each conftest above
DYNAMIC_LINES = {"globals loop": 4, "computed target": 9}


@pytest.mark.parametrize("kind", DYNAMIC_CONFTESTS)
def test_dynamic_fixtures_are_an_info_finding(run_cli: RunCli, tmp_path: Path, kind: str) -> None:
    suite = write_suite(
        tmp_path,
        {
            "pytest.ini": "[pytest]\n",
            "conftest.py": DYNAMIC_CONFTESTS[kind],
            "test_good.py": GOOD_TESTS,
        },
    )
    code, report = scan_json(run_cli, suite)
    assert code == 0  # info findings are reported but do not fail (fail-on = "warning")
    assert [r[:2] for r in rules_at(report)] == [("TA205", "conftest.py")]
    dynamic = finding(report, "TA205")
    assert dynamic["name"] == "dynamic-fixtures"
    assert dynamic["severity"] == "info"
    assert nodeids(report) == GOOD_IDS
    graph = run_cli("graph", "--no-cache", "--format", "json", cwd=suite)
    assert graph.code == 0


@pytest.mark.parametrize("kind", DYNAMIC_CONFTESTS)
def test_dynamic_fixture_finding_points_at_its_statement(
    run_cli: RunCli, tmp_path: Path, kind: str
) -> None:
    suite = write_suite(
        tmp_path,
        {
            "pytest.ini": "[pytest]\n",
            "conftest.py": DYNAMIC_CONFTESTS[kind],
            "test_good.py": GOOD_TESTS,
        },
    )
    _, report = scan_json(run_cli, suite)
    assert rules_at(report) == [("TA205", "conftest.py", DYNAMIC_LINES[kind])]


@pytest.mark.xfail(
    strict=True,
    reason="`foo = pytest.fixture(make)` registers a fixture named `foo` (pytest runs the "
    "test fine) but the model does not register it, so TA203 claims pytest errors",
)
def test_fixture_registered_by_a_call_is_a_fixture_not_a_dynamic_one(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """`foo = pytest.fixture(make)` registers `foo` as pytest does: known, not unknown, and
    nothing dynamic about it."""
    suite = write_suite(
        tmp_path,
        {
            "pytest.ini": "[pytest]\n",
            "conftest.py": "import pytest\n\n\ndef make():\n    return 1\n\n\n"
            "foo = pytest.fixture(make)\n",
            "test_uses.py": "def test_uses(foo):\n    assert foo == 1\n",
        },
    )
    _, report = scan_json(run_cli, suite)
    assert [f["rule"] for f in report["findings"] if f["rule"] in ("TA203", "TA205")] == []
    assert "foo" in next(t["fixtures"] for t in report["tests"])


def test_names_that_computed_fixtures_may_provide_are_not_errors(
    run_cli: RunCli, tmp_path: Path
) -> None:
    suite = write_suite(
        tmp_path,
        {
            "pytest.ini": "[pytest]\n",
            "conftest.py": DYNAMIC_CONFTESTS["globals loop"],
            "test_uses.py": "def test_uses(a, b):\n    assert a == b == 1\n",
        },
    )
    _, report = scan_json(run_cli, suite)
    unknown = [f for f in report["findings"] if f["rule"] == "TA203"]
    assert [f for f in unknown if f["severity"] == "error"] == []


# -- configuration errors ----------------------------------------------------------------


def test_missing_config_file_is_a_one_line_error(tmp_path: Path) -> None:
    suite = write_suite(tmp_path, {"test_good.py": GOOD_TESTS})
    result = run_process("scan", "-c", "missing.ini", cwd=suite)
    assert_one_line_error(result, "missing.ini")


BROKEN_CONFIGS: dict[str, tuple[str, str | bytes]] = {
    "pyproject.toml": ("pyproject.toml", "[tool.pytest.ini_options\ntestpaths = [\n"),
    "pytest.ini": ("pytest.ini", "[pytest\naddopts = -q\n"),
    "setup.cfg": ("setup.cfg", "[tool:pytest]\nthis line has no equals sign\n"),
    "tox.ini": ("tox.ini", "[pytest]\ntestpaths tests\n"),
    "pytest.ini not utf-8": ("pytest.ini", "[pytest]\naddopts = -k caf\xe9\n".encode("latin-1")),
    "tool.test-auditor types": ("pyproject.toml", '[tool.test-auditor]\nexclude = "build"\n'),
}


@pytest.mark.parametrize(("name", "content"), BROKEN_CONFIGS.values(), ids=BROKEN_CONFIGS.keys())
def test_broken_config_in_the_suite_root_is_a_one_line_error(
    tmp_path: Path, name: str, content: str | bytes
) -> None:
    suite = write_suite(tmp_path, {name: content, "test_good.py": GOOD_TESTS})
    assert_one_line_error(run_process("scan", "--no-cache", cwd=suite), name)


def test_graph_with_a_broken_config_is_a_one_line_error(tmp_path: Path) -> None:
    name, content = BROKEN_CONFIGS["pyproject.toml"]
    suite = write_suite(tmp_path, {name: content, "test_good.py": GOOD_TESTS})
    assert_one_line_error(run_process("graph", "--no-cache", cwd=suite), name)


# -- code that must never run ------------------------------------------------------------

HARMFUL_SAMPLE = SAMPLES / "harmful"


def _harmful_copy(tmp_path: Path) -> Path:
    if HARMFUL_SAMPLE.is_dir():
        return Path(shutil.copytree(HARMFUL_SAMPLE, tmp_path / "harmful"))
    return write_suite(  # pragma: no cover - the sample ships with the repository
        tmp_path / "harmful",
        {
            "pytest.ini": "[pytest]\n",
            "canary.txt": "must survive\n",
            "conftest.py": (
                "import os\n\nimport pytest\n\n"
                'os.remove(os.path.join(os.path.dirname(__file__), "canary.txt"))\n\n\n'
                "@pytest.fixture\ndef greeting():\n    return 'hello'\n"
            ),
            "test_harmless.py": "def test_greeting(greeting):\n    assert greeting\n",
        },
    )


def test_harmful_conftest_is_never_imported(tmp_path: Path) -> None:
    suite = _harmful_copy(tmp_path)
    canary = suite / "canary.txt"
    before = canary.read_bytes()
    scan = run_process("scan", "--format", "json", cwd=suite)
    assert canary.is_file()
    assert "Traceback" not in scan.err
    assert scan.code in (0, 1)
    assert "test_harmless.py::test_greeting" in nodeids(scan.json())
    for fmt in ("mermaid", "dot", "json", "graphml"):
        graph = run_process("graph", "--format", fmt, cwd=suite)
        assert (graph.code, graph.err) == (0, "")
    assert canary.read_bytes() == before


def test_no_suite_code_runs_by_any_route(tmp_path: Path) -> None:
    """conftest, pytest_plugins, `-p` plugins, test modules, package `__init__`."""
    marker = tmp_path / "pwned"
    harm = f"from pathlib import Path\nPath({str(marker)!r}).write_text(__name__)\n"
    suite = write_suite(
        tmp_path / "suite",
        {
            "pytest.ini": "[pytest]\naddopts = -p addopts_plugin\npythonpath = .\n",
            "addopts_plugin.py": harm
            + "import pytest\n\n\n@pytest.fixture\ndef a():\n    return 1\n",
            "listed_plugin.py": harm
            + "import pytest\n\n\n@pytest.fixture\ndef b():\n    return 2\n",
            "conftest.py": harm + 'pytest_plugins = ["listed_plugin"]\n',
            "tests/__init__.py": harm,
            "tests/conftest.py": harm,
            "tests/test_x.py": harm + "\n\ndef test_x(a, b):\n    assert a < b\n",
        },
    )
    scan = run_process("scan", "--format", "json", cwd=suite)
    graph = run_process("graph", "--format", "json", "--test", "tests/test_x.py::test_x", cwd=suite)
    assert not marker.exists(), f"imported: {marker.read_text()}"
    assert "Traceback" not in scan.err + graph.err
    assert nodeids(scan.json()) == ["tests/test_x.py::test_x"]
    assert graph.code == 0
    assert {n.get("name") for n in graph.json()["nodes"]} >= {"a", "b", "test_x"}
