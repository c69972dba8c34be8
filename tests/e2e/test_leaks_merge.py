"""`leaks merge` on real shard reports: the sample suite hunted in two shards and merged,
and a pair whose polluter and victim fall in different shards found by --across-shards."""

from __future__ import annotations

import json
import shutil
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import leaks_schema_errors, run_process, write_suite

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
pytestmark = pytest.mark.slow


def shard(suite: Path, index: int, count: int = 2) -> Path:
    report = suite.parent / f"shard-{index}.json"
    args: list[str | Path] = ["--seed", "1", "--shard", f"{index}/{count}"]
    args += ["--format", "json", "-o", report]
    result = run_process("leaks", *args, cwd=suite, timeout=600)
    assert result.code in (0, 1), result.err
    return report


def pairs(report: dict[str, Any]) -> set[tuple[str, str]]:
    return {(p["polluter"], p["victim"]) for p in report["pairs"]}


def test_the_merged_sample_has_every_shards_pairs_and_across_shards_finds_the_rest(tmp_path):
    suite = tmp_path / "leaks"
    shutil.copytree(SAMPLES / "leaks", suite, ignore=shutil.ignore_patterns("*.db", "*.csv"))
    reports = [shard(suite, 1), shard(suite, 2)]
    shards = [json.loads(path.read_text(encoding="utf-8")) for path in reports]

    result = run_process("leaks", "merge", *reports, "--format", "json", cwd=suite)
    assert result.code == 1, result.err
    merged = result.json()
    assert leaks_schema_errors(merged) == []
    assert pairs(merged) == pairs(shards[0]) | pairs(shards[1])
    assert merged["tests"] == shards[0]["tests"] + shards[1]["tests"]
    assert merged["test_executions"] == sum(s["test_executions"] for s in shards)
    assert (merged["shard"], merged["shards"]) == (None, ["1/2", "2/2"])

    result = run_process(
        "leaks", "merge", *reports, "--across-shards", "--format", "json", cwd=suite, timeout=600
    )
    assert result.code == 1, result.err
    crossed = result.json()
    assert leaks_schema_errors(crossed) == []
    expected = tomllib.loads((suite / "EXPECTED.toml").read_text(encoding="utf-8"))
    planted = {(p["polluter"], p["victim"]) for p in expected["pair"]}
    planted |= {(c["polluter"], c["victim"]) for c in expected["cleaner"]}
    assert pairs(merged) < pairs(crossed) == planted  # what one hunt of the suite finds
    assert not (suite / "report.csv").exists()  # the project is left as it was


CROSSING_SUITE = {
    "pytest.ini": "[pytest]\ntestpaths = tests\n",
    "tests/test_settings.py": """
        import os

        def test_beta_mode_can_be_switched_on():
            os.environ["SHOP_MODE"] = "beta"  # never put back
            assert os.environ["SHOP_MODE"] == "beta"

        def test_settings_have_a_name():
            assert "shop"
        """,
    "tests/test_checkout.py": """
        import os

        def test_checkout_runs_in_standard_mode():
            assert os.environ.get("SHOP_MODE", "standard") == "standard"

        def test_checkout_totals():
            assert 1 + 1 == 2
        """,
}


def test_a_polluter_and_its_victim_in_different_shards_are_found_across_shards(tmp_path):
    suite = write_suite(
        tmp_path / "shop",
        {name: textwrap.dedent(text).lstrip() for name, text in CROSSING_SUITE.items()},
    )
    reports = [shard(suite, 1), shard(suite, 2)]  # two modules of two tests: one in each
    shards = [json.loads(path.read_text(encoding="utf-8")) for path in reports]
    assert {s["tests"] for s in shards} == {2}
    assert not any(s["pairs"] for s in shards)

    output = tmp_path / "merged.json"
    args = ["leaks", "merge", *reports, "--across-shards", "--format", "json", "-o", output]
    result = run_process(*args, cwd=suite, timeout=600)
    assert result.code == 1, result.err
    merged = json.loads(output.read_text(encoding="utf-8"))
    assert leaks_schema_errors(merged) == []
    polluter = "tests/test_settings.py::test_beta_mode_can_be_switched_on"
    victim = "tests/test_checkout.py::test_checkout_runs_in_standard_mode"
    assert pairs(merged) == {(polluter, victim)}
    (pair,) = merged["pairs"]
    assert any("SHOP_MODE" in state for state in pair["state"])
    assert pair["reproduce"].startswith("pytest ")
    assert merged["rounds"][-1]["label"].startswith("across shards")
    assert merged["test_executions"] > sum(s["test_executions"] for s in shards)

    result = run_process("leaks", "merge", reports[0], cwd=suite)  # shard 2/2 missing
    assert result.code == 2
    assert "missing shard 2/2 of 2" in result.err
