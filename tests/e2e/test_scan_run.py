"""`scan --run` on tests/samples/profile: one profiled run of the suite corrects the static
tiers where the run saw outside access, lowers the one whose database lived in memory, and
says where else they disagree (see the sample's README for the table this checks)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import SAMPLES, RunCli, schema_errors

pytestmark = pytest.mark.slow

CORRECTED = {
    "tests/unit/test_echo.py::test_echo_round_trip": "connected to 127.0.0.1:",
    "tests/unit/test_shell.py::test_version_of_the_interpreter": "ran `python",
    "tests/unit/test_export.py::test_export_writes_the_summary": "wrote reports/summary.csv",
    "tests/unit/test_store.py::test_store_in_a_file": "opened the SQLite database data/app.db",
}
AGREE = {
    "tests/unit/test_export.py::test_export_into_tmp_path",
    "tests/unit/test_pricing.py::test_price",
    "tests/unit/test_pricing.py::test_price_with_catalog",
    "tests/unit/test_store.py::test_store_in_memory",
}
LOWERED = "tests/unit/test_ledger.py::test_ledger_balance"
SLOW = "tests/unit/test_pricing.py::test_bulk_discount_is_slow"
MOCKED = "tests/integration/test_gateway.py::test_gateway_is_mocked"


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    copy = tmp_path / "profile"
    shutil.copytree(SAMPLES / "profile", copy, ignore=shutil.ignore_patterns(".*cache*"))
    return copy


def test_the_run_corrects_the_static_tiers_and_says_where_they_disagree(
    run_cli: RunCli, suite: Path
) -> None:
    result = run_cli("scan", "--run", "--format", "json", cwd=suite)
    assert result.code == 1, result.err  # TA401: the sleeps
    report = result.json()
    assert schema_errors(report) == []
    tests: dict[str, dict[str, Any]] = {t["nodeid"]: t for t in report["tests"]}
    for nodeid, seen in CORRECTED.items():
        test = tests[nodeid]
        assert (test["static_tier"], test["tier"]) == ("unit", "integration"), nodeid
        assert test["evidence"][0].startswith(f"observed: {seen}"), test["evidence"]
        (disagreement,) = test["disagreements"]
        assert disagreement.startswith(f"static says unit, the run says integration: {seen}")
    for nodeid in AGREE:
        assert (tests[nodeid]["tier"], tests[nodeid]["disagreements"]) == ("unit", []), nodeid
    assert tests[SLOW]["tier"] == "unit"
    assert tests[SLOW]["disagreements"][0].startswith("static says unit, but it took 0.")
    assert tests[MOCKED]["tier"] == "integration"
    assert "no outside access" in tests[MOCKED]["disagreements"][0]
    memory = tests["tests/unit/test_store.py::test_store_in_memory"]
    assert memory["observed"] == ["issued 3 SQL statements to an in-memory SQLite database"]
    ledger = tests[LOWERED]
    assert (ledger["static_tier"], ledger["tier"]) == ("integration", "unit")
    only = "only in-memory work (issued 4 SQL statements to an in-memory SQLite database)"
    assert ledger["evidence"][0].startswith(f"observed: {only}: no connection"), ledger["evidence"]
    assert "connects to a database (`sqlite3.connect`)" in ledger["evidence"][1]
    (disagreement,) = ledger["disagreements"]
    assert disagreement.startswith(f"static says integration, the run says unit: {only}")
    run = report["run"]
    assert run["outcomes"] == {"passed": 11}
    assert (run["corrected"], run["disagreements"]) == (5, 7)
    profile = run["profile"]
    assert SLOW in [t["nodeid"] for t in profile["slow"]]
    slow_fixtures = [(f["name"], f["scope"], f["setups"]) for f in profile["slow_fixtures"]]
    assert ("catalog", "session", 1) in slow_fixtures
    assert {t["nodeid"] for t in profile["external"]} == set(CORRECTED)
    assert report["tiers"]["counts"] == {"unit": 6, "integration": 5, "performance": 0}
    assert not (suite / "reports").exists()
    assert not (suite / "data").exists()


def test_pytest_arguments_after_the_double_dash_and_the_markdown_report(
    run_cli: RunCli, suite: Path
) -> None:
    result = run_cli(
        "scan", "--run", "--format", "markdown", "--", "-k", "echo or gateway", cwd=suite
    )
    assert result.code == 1, result.err
    text = result.out
    assert "### Run vs static tiers" in text
    assert "2 test executions" in text
    assert "tiers corrected: 1, tests that disagree: 2." in text
    assert (
        "| `tests/unit/test_echo.py::test_echo_round_trip` | unit | integration | "
        "static says unit, the run says integration: connected to 127.0.0.1:"
    ) in text
    assert "| `tests/integration/test_gateway.py::test_gateway_is_mocked` | integration |" in text
    assert "### Profile" in text


def test_arguments_for_pytest_need_run(run_cli: RunCli, suite: Path) -> None:
    result = run_cli("scan", "--", "-k", "echo", cwd=suite)
    assert result.code == 2
    assert "add --run" in result.err


def test_a_path_given_from_outside_the_rootdir_reaches_pytest(run_cli: RunCli, suite: Path) -> None:
    """pytest runs in the rootdir; the path the user typed is relative to where they are."""
    result = run_cli("scan", "profile/tests/unit/test_echo.py", "--run", "--format", "json",
                     cwd=suite.parent)  # fmt: skip
    assert result.code == 1, result.err
    data = json.loads(result.out)
    ran = [t["nodeid"] for t in data["tests"] if t.get("run", {}).get("outcome") == "passed"]
    assert ran == ["tests/unit/test_echo.py::test_echo_round_trip"]


def test_a_module_pytest_cannot_collect_is_a_note_and_the_rest_still_runs(
    run_cli: RunCli, suite: Path
) -> None:
    """Without --continue-on-collection-errors pytest runs nothing at all (sqlmodel's
    docs_src/ examples, collected by a bare `pytest`, fail to import)."""
    broken = suite / "tests" / "unit" / "test_broken.py"
    broken.write_text("import profapp.not_there\n\n\ndef test_never():\n    pass\n")
    result = run_cli("scan", "--run", "--format", "json", "--", "-k", "echo", cwd=suite)
    assert result.code == 1, result.err
    report = result.json()
    assert report["run"]["outcomes"]["passed"] == 1
    [note] = [n for n in report["run"]["profile"]["notes"] if "could not be collected" in n]
    assert note.startswith("1 module could not be collected, the rest ran: ")
    assert "tests/unit/test_broken.py (E   ModuleNotFoundError: No module named 'profapp" in note
