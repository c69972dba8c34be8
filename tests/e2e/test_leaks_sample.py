"""`leaks` on the project's sample suites, against what each suite's EXPECTED.toml planted.

tests/samples/leaks: 15 kinds of leak, a brittle test and its state-setter, a cleaner and a
flaky test; everything passes in the default order. `leaks` must find every pair with the
right polluter and state, call the flaky test flaky (when it failed at all in this run),
report nothing else, and stay within 3 x the suite's size + 8 executions per pair, besides
what telling the flaky test from a victim cost.

tests/samples/leaks_pg: rows committed inside a rolled-back SQLAlchemy session on the real
PostgreSQL, and a key left in Redis; skipped where those servers are not reachable, failed
under TA_REQUIRE_SERVICES=1 (CI).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import leaks_schema_errors, run_process

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
pytestmark = pytest.mark.slow


def hunt(
    tmp_path: Path, name: str, *args: str, env: dict[str, str] | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    suite = tmp_path / name
    shutil.copytree(SAMPLES / name, suite, ignore=shutil.ignore_patterns("*.db", "*.csv"))
    result = run_process(
        "leaks", "--seed", "1", "--format", "json", *args, cwd=suite, env=env, timeout=600
    )
    assert result.code == 1, result.err
    report = result.json()
    assert leaks_schema_errors(report) == []
    assert report["profile"]["tests"] == report["tests"]  # the default order, profiled
    expected = tomllib.loads((suite / "EXPECTED.toml").read_text(encoding="utf-8"))
    return report, expected


def assert_pairs(report: dict[str, Any], expected: dict[str, Any]) -> None:
    """Every planted pair, and the pair a cleaner stands between, with the right state."""
    found = {(p["polluter"], p["victim"]): p for p in report["pairs"]}
    wanted = {(p["polluter"], p["victim"]): p["state"] for p in expected["pair"]}
    wanted |= {(c["polluter"], c["victim"]): "" for c in expected.get("cleaner", [])}
    assert set(found) == set(wanted)
    for key, state in wanted.items():
        texts = " | ".join(found[key]["state"]).lower()
        assert state.lower() in texts, (key, found[key]["state"])
        assert found[key]["reproduce"].startswith("pytest ")
    victims = {v["nodeid"]: v for v in report["victims"]}
    assert set(victims) == {victim for _, victim in wanted}
    assert {p["nodeid"] for p in report["polluters"]} == {polluter for polluter, _ in wanted}


def test_every_planted_leak_is_found_and_nothing_else(tmp_path):
    report, expected = hunt(tmp_path, "leaks")
    assert_pairs(report, expected)
    brittle = {b["nodeid"]: b["state_setters"] for b in report["brittle"]}
    assert brittle == {b["nodeid"]: [b["setter"]] for b in expected["brittle"]}
    cleaners = {(c["nodeid"], c["polluter"], c["victim"]) for c in report["cleaners"]}
    assert cleaners == {(c["nodeid"], c["polluter"], c["victim"]) for c in expected["cleaner"]}
    flaky = {f["nodeid"] for f in expected["flaky"]}
    assert {f["nodeid"] for f in report["flaky"]} <= flaky
    assert not report["failing"]
    assert not report["unresolved"]
    pairs = len(report["pairs"]) + len(report["brittle"])  # a setter and its test are a pair
    spent = report["executions_by_phase"]
    assert sum(spent.values()) == report["test_executions"]
    # the default order and the targeted round run every test; the reversed round only
    # those that leaked, failed or read state another test left (runner/readers.py)
    assert 2 * report["tests"] < spent["default order"] + spent["rounds"] <= 3 * report["tests"]
    # A flaky test costs what it takes to tell it from a victim: at most two passes more.
    flaky = spent.get("flaky tests", 0) + spent.get("unresolved", 0)
    assert flaky <= 2 * report["tests"]
    # Each victim: its pair run, then lone passes (and a pair run more) until a flaky test
    # would tell the same story with under 1% chance, more when several leakers' state is
    # named by its code (auditor/dynamic/runner/evidence.py): 5 to 8 executions here, about
    # 6.4 on average (249 in all with seed 1).
    assert report["test_executions"] - flaky <= 3 * report["tests"] + 8 * pairs


@pytest.mark.postgres
def test_rows_committed_behind_a_rollback_and_a_redis_key_are_named(
    tmp_path, scratch_database, redis_url
):
    """On a database of its own (the database guard takes over the whole ``--db-url``
    database while `leaks` runs; the sample builds its schema there and drops it at the
    end of each run, so the guard has nothing to put back)."""
    url = scratch_database.url
    report, expected = hunt(
        tmp_path,
        "leaks_pg",
        "--db-url",
        url,
        "--redis-url",
        "redis://127.0.0.1:6379/15",
        env={"DATABASE_URL": url},
    )
    assert_pairs(report, expected)
    assert not report["brittle"]
    assert not report["flaky"]
    assert not report["failing"]
    assert report["databases_restored"] == []
    assert not any("NOT guarded" in note for note in report["notes"])
