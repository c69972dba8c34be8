"""`test-auditor check`: line format, report scope, formats, fixes, diff, suppression,
selection, severities, baselines, and the `rules`/`rule` commands."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import pytest

from auditor.lint import fixes
from tests.e2e.helpers import RunCli, write_suite

HELPER_CLASS = """\
class TestClientFactory:
    def __init__(self, base):
        self.base = base

    def make(self):
        return self.base


def test_factory():
    assert TestClientFactory(1).make() == 1
"""

FIXED_HELPER_CLASS = HELPER_CLASS.replace(
    "class TestClientFactory:\n", "class TestClientFactory:\n    __test__ = False\n"
)

SCOPE_CONFTEST = """\
import pytest


@pytest.fixture
def db_session():
    return {}


@pytest.fixture(scope="module")
def catalog(db_session):
    return [db_session]
"""

USES_CATALOG = "def test_catalog(catalog):\n    assert catalog\n"
CLEAN = "def test_ok():\n    assert 1 + 1 == 2\n"


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    return write_suite(
        tmp_path,
        {
            "pytest.ini": "[pytest]\n",
            "tests/conftest.py": SCOPE_CONFTEST,
            "tests/test_catalog.py": USES_CATALOG,
            "tests/test_factory.py": HELPER_CLASS,
            "tests/test_clean.py": CLEAN,
        },
    )


def test_text_format_is_path_line_col_code_message(run_cli: RunCli, suite: Path) -> None:
    result = run_cli("check", "--no-cache", cwd=suite)
    assert result.code == 1
    lines = result.out.splitlines()
    assert lines[0].startswith("tests/conftest.py:10:1: TA201 module-scoped fixture `catalog`")
    assert "tests/test_factory.py:1:1: TA103 [*] " in result.out
    assert lines[-1] == "Found 2 problems (1 fixable with `--fix`)."


def test_clean_suite_exits_zero(run_cli: RunCli, tmp_path: Path) -> None:
    write_suite(tmp_path, {"pytest.ini": "[pytest]\n", "test_ok.py": CLEAN})
    result = run_cli("check", "--no-cache", cwd=tmp_path)
    assert (result.code, result.out) == (0, "All checks passed!\n")


def test_files_given_limit_the_report(run_cli: RunCli, suite: Path) -> None:
    only_factory = run_cli("check", "--no-cache", "tests/test_factory.py", cwd=suite)
    assert only_factory.code == 1
    assert "TA103" in only_factory.out
    assert "TA201" not in only_factory.out
    # a conftest brings its folder's tests, so its scope problem is found
    conftest = run_cli("check", "--no-cache", "tests/conftest.py", cwd=suite)
    assert "tests/conftest.py:10:1: TA201" in conftest.out
    assert "TA103" not in conftest.out
    clean = run_cli("check", "--no-cache", "tests/test_clean.py", cwd=suite)
    assert clean.code == 0


def test_json_and_github_formats(run_cli: RunCli, suite: Path) -> None:
    result = run_cli("check", "--no-cache", "--format", "json", cwd=suite)
    rows = json.loads(result.out)
    assert {row["rule"] for row in rows} == {"TA201", "TA103"}
    fixable = next(row for row in rows if row["rule"] == "TA103")
    assert fixable["fix"] == {"applicability": "safe", "title": fixable["fix"]["title"]}
    assert fixable["fixable"] is True
    github = run_cli("check", "--no-cache", "--format", "github", cwd=suite)
    first = github.out.splitlines()[0]
    assert first.startswith(
        "::error file=tests/conftest.py,line=10,col=1,title=TA201 scope-mismatch::"
    )


def test_diff_writes_nothing_and_exits_one(run_cli: RunCli, suite: Path) -> None:
    before = (suite / "tests/test_factory.py").read_text()
    result = run_cli("check", "--no-cache", "--diff", cwd=suite)
    assert result.code == 1
    assert "+++ b/tests/test_factory.py" in result.out
    assert "+    __test__ = False" in result.out
    assert (suite / "tests/test_factory.py").read_text() == before
    nothing = run_cli("check", "--no-cache", "--diff", "tests/test_clean.py", cwd=suite)
    assert (nothing.code, nothing.out) == (0, "")


def test_fix_applies_safe_fixes_and_reports_the_rest(run_cli: RunCli, suite: Path) -> None:
    result = run_cli("check", "--no-cache", "--fix", cwd=suite)
    assert (suite / "tests/test_factory.py").read_text() == FIXED_HELPER_CLASS
    assert "Fixed 1 problem." in result.out
    assert "TA201" in result.out
    assert "TA103" not in result.out
    assert result.code == 1
    again = run_cli("check", "--no-cache", "--fix", "tests/test_factory.py", cwd=suite)
    assert again.code == 0


def test_fix_writes_all_files_or_none(
    suite: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    changes = [
        fixes.FileChange("tests/test_clean.py", CLEAN.encode(), b"# one\n" + CLEAN.encode()),
        fixes.FileChange("tests/test_catalog.py", USES_CATALOG.encode(), b"# two\n"),
    ]
    real_replace = os.replace
    calls: list[str] = []

    def failing_replace(source: str, target: str) -> None:
        calls.append(str(target))
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="No space"):
        fixes.write_all(suite, changes)
    assert (suite / "tests/test_clean.py").read_text() == CLEAN
    assert (suite / "tests/test_catalog.py").read_text() == USES_CATALOG
    assert not list((suite / "tests").glob(".ta-*"))


def test_noqa_on_the_line_and_for_the_file(run_cli: RunCli, suite: Path) -> None:
    conftest = suite / "tests/conftest.py"
    conftest.write_text(
        SCOPE_CONFTEST.replace(
            "def catalog(db_session):", "def catalog(db_session):  # noqa: TA201"
        )
    )
    assert "TA201" not in run_cli("check", "--no-cache", cwd=suite).out
    conftest.write_text(
        SCOPE_CONFTEST.replace(
            "def catalog(db_session):", "def catalog(db_session):  # noqa: TA999"
        )
    )
    assert "TA201" in run_cli("check", "--no-cache", cwd=suite).out
    factory = suite / "tests/test_factory.py"
    factory.write_text("# test-auditor: noqa: TA103\n" + HELPER_CLASS)
    assert "TA103" not in run_cli("check", "--no-cache", cwd=suite).out


def test_selection_config_and_cli(run_cli: RunCli, suite: Path) -> None:
    (suite / "pytest.ini").unlink()
    (suite / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\n\n[tool.test-auditor]\nignore = ["TA103"]\n'
        '[tool.test-auditor.per-file-ignores]\n"tests/conftest.py" = ["TA2"]\n'
    )
    assert run_cli("check", "--no-cache", cwd=suite).code == 0
    # the command line's --select replaces the config's select, the ignore lists add up
    selected = run_cli("check", "--no-cache", "--select", "TA103,TA201", cwd=suite)
    assert selected.code == 0
    (suite / "pyproject.toml").write_text("[tool.pytest.ini_options]\n")
    only = run_cli("check", "--no-cache", "--select", "structure", cwd=suite)
    assert "TA103" in only.out
    assert "TA201" not in only.out
    ignored = run_cli("check", "--no-cache", "--select", "TA", "--ignore", "TA1", cwd=suite)
    assert "TA103" not in ignored.out
    assert "TA201" in ignored.out
    bad = run_cli("check", "--no-cache", "--select", "TA999", cwd=suite)
    assert bad.code == 2
    assert "'TA999' matches no rule" in bad.err


def test_severity_overrides_and_fail_on(run_cli: RunCli, suite: Path) -> None:
    (suite / "pytest.ini").unlink()
    (suite / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\n\n[tool.test-auditor]\nfail-on = "error"\n'
        '[tool.test-auditor.severity]\nTA201 = "warning"\n'
    )
    result = run_cli("check", "--no-cache", "--format", "json", cwd=suite)
    assert result.code == 0
    assert {r["rule"]: r["severity"] for r in json.loads(result.out)}["TA201"] == "warning"
    (suite / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\n\n[tool.test-auditor]\nfail-on = "fatal"\n'
    )
    broken = run_cli("check", "--no-cache", cwd=suite)
    assert broken.code == 2
    assert "fail-on must be one of" in broken.err


def test_baseline_survives_moved_lines_and_reports_new_findings(
    run_cli: RunCli, suite: Path
) -> None:
    baseline = suite / "baseline.json"
    written = run_cli("check", "--no-cache", "--write-baseline", str(baseline), cwd=suite)
    assert written.code == 0
    assert "Recorded 2 findings" in written.err
    assert run_cli("check", "--no-cache", "--baseline", str(baseline), cwd=suite).code == 0
    conftest = suite / "tests/conftest.py"
    conftest.write_text('"""Shared fixtures."""\nimport os\n\n' + SCOPE_CONFTEST)
    moved = run_cli("check", "--no-cache", "--baseline", str(baseline), cwd=suite)
    assert (moved.code, moved.out) == (0, "All checks passed!\n")
    (suite / "tests/test_more.py").write_text(
        HELPER_CLASS.replace("TestClientFactory", "TestMaker")
    )
    new = run_cli("check", "--no-cache", "--baseline", str(baseline), cwd=suite)
    assert new.code == 1
    assert [line.split(":")[0] for line in new.out.splitlines()[:-1]] == ["tests/test_more.py"]
    (suite / "bad.json").write_text("[1, 2]")
    assert run_cli("check", "--no-cache", "--baseline", "bad.json", cwd=suite).code == 2


def test_rules_lists_every_rule_and_rule_prints_its_docs(run_cli: RunCli, tmp_path: Path) -> None:
    listed = run_cli("rules", "--format", "json", cwd=tmp_path)
    rows = json.loads(listed.out)
    codes = [row["code"] for row in rows]
    assert codes == sorted(codes)
    assert "TA201" in codes
    doc = run_cli("rule", "TA201", cwd=tmp_path)
    assert doc.code == 0
    assert doc.out.startswith("# scope-mismatch (TA201)")
    assert "## Why is this bad?" in doc.out
    assert run_cli("rule", "scope-mismatch", cwd=tmp_path).out == doc.out
    missing = run_cli("rule", "TA999", cwd=tmp_path)
    assert missing.code == 2
    assert "no rule 'TA999'" in missing.err


def test_sarif_validates_against_the_sarif_2_1_0_schema(run_cli: RunCli, suite: Path) -> None:
    from jsonschema import Draft202012Validator

    from tests.e2e.helpers import sarif_schema

    schema = sarif_schema()
    if schema is None:
        pytest.skip("npm is not installed: cannot fetch the SARIF 2.1.0 schema")
    result = run_cli("check", "--no-cache", "--format", "sarif", cwd=suite)
    log = json.loads(result.out)
    errors = sorted(Draft202012Validator(schema).iter_errors(log), key=str)
    assert not errors, errors[0]
    run = log["runs"][0]
    results = run["results"]
    assert {r["ruleId"] for r in results} == {"TA201", "TA103"}
    rules = run["tool"]["driver"]["rules"]
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        assert r["partialFingerprints"]["testAuditor/v1"]
    location = results[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "tests/conftest.py"
    assert location["region"] == {"startLine": 10, "startColumn": 1}


def test_check_and_scan_note_plugins_not_installed_once(
    tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # pytest-mock is declared but not installed where test-auditor reads plugins: no
    # TA203 for `mocker`, one note naming the environment read and `--python`
    if importlib.util.find_spec("pytest_mock") is not None:
        pytest.skip("pytest-mock is installed in test-auditor's environment")
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    write_suite(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "app"\n\n'
            '[dependency-groups]\ndev = ["pytest", "pytest-mock"]\n\n[tool.pytest.ini_options]\n',
            "tests/test_app.py": "def test_a(mocker):\n    assert mocker\n\n\n"
            "def test_b(mocker):\n    assert mocker\n\n\n"
            "def test_typo(mokcer):\n    assert mokcer\n",
        },
    )
    result = run_cli("check", "--no-cache", "--select", "TA203", cwd=tmp_path)
    assert result.code == 1
    assert "fixture `mokcer`" in result.out
    assert "`mocker`" not in result.out
    assert result.err.count("note:") == 1
    assert "pytest-mock (`mocker`; declared in pyproject.toml; 2 tests)" in result.err
    assert "test-auditor's own interpreter" in result.err
    assert "--python" in result.err

    scan = run_cli("scan", "--no-cache", cwd=tmp_path)
    # the console wraps at 80 columns where the interpreter's path falls; words, not lines
    assert " ".join(scan.out.split()).count("pytest-mock (`mocker`") == 1
    report = json.loads(run_cli("scan", "--no-cache", "--format", "json", cwd=tmp_path).out)
    assert any("pytest-mock" in note for note in report["notes"])


def test_check_of_the_rootdir_runs_the_suite_wide_rules(run_cli: RunCli, tmp_path: Path) -> None:
    # `check .` (a pre-commit hook with pass_filenames off, a CI step) is the whole suite:
    # a copy across two files is reported as it is with no path at all
    copy = (
        "def test_total():\n    cart = [1, 2, 3]\n"
        "    assert sum(cart) == 6\n    assert len(cart) == 3\n"
    )
    write_suite(
        tmp_path,
        {"pytest.ini": "[pytest]\n", "tests/test_a.py": copy, "tests/test_b.py": copy},
    )
    bare = run_cli("check", "--no-cache", "--select", "TA501", cwd=tmp_path)
    dot = run_cli("check", "--no-cache", "--select", "TA501", ".", cwd=tmp_path)
    assert "TA501" in bare.out
    assert dot.out == bare.out
    assert dot.code == bare.code == 1
