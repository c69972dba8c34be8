"""`leaks --coverage`, `leaks --shard I/N` and pytest-xdist's `-n`, on a small suite.

The suite: a pair inside one module (`test_env.py`, broken in the default order), a pair
across two modules (`test_rate_set.py` breaks `test_rate_read.py`, which runs first by
default, so only the reversed order shows it) and a test that runs no project code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from auditor.dynamic.shards import assign
from tests.e2e.helpers import leaks_schema_errors, run_process, write_suite

pytestmark = pytest.mark.slow

SUITE = {
    "pytest.ini": "[pytest]\n",
    "pkg/__init__.py": "",
    "pkg/config.py": "RATE = 60\n",
    "pkg/env.py": (
        "import os\n\n\ndef mode():\n    value = os.environ.get('TA_MODE', 'standard')\n"
        "    return value\n"
    ),
    "tests/test_env.py": (
        "import os\nfrom pkg import env\n\n\ndef test_sets_mode():\n"
        "    os.environ['TA_MODE'] = 'beta'\n\n\ndef test_reads_mode():\n"
        "    assert env.mode() == 'standard'\n"
    ),
    "tests/test_rate_read.py": (
        "from pkg import config\n\n\ndef test_reads_rate():\n    assert config.RATE == 60\n"
    ),
    "tests/test_rate_set.py": (
        "from pkg import config\n\n\ndef test_sets_rate():\n    config.RATE = 3\n"
    ),
    "tests/test_plain.py": "def test_plain():\n    assert 1 + 1 == 2\n",
}
ENV_PAIR = ("tests/test_env.py::test_sets_mode", "tests/test_env.py::test_reads_mode")
RATE_PAIR = ("tests/test_rate_set.py::test_sets_rate", "tests/test_rate_read.py::test_reads_rate")


def leaks(root: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = run_process("leaks", "--seed", "5", "--format", "json", *args, cwd=root)
    assert result.code in (0, 1), result.err
    report = result.json()
    assert leaks_schema_errors(report) == []
    return result.code, report


def test_coverage_names_the_project_modules_each_test_ran(tmp_path):
    root = write_suite(tmp_path, SUITE)
    code, report = leaks(root, "--coverage", "--rounds", "0")
    assert code == 1
    assert [(p["polluter"], p["victim"]) for p in report["pairs"]] == [ENV_PAIR]
    modules = {entry["nodeid"]: entry["modules"] for entry in report["coverage"]}
    assert len(modules) == 5
    assert modules["tests/test_env.py::test_reads_mode"] == {"pkg/env.py": 2}
    assert modules["tests/test_plain.py::test_plain"] == {}
    assert "--coverage" in report["rerun"]


def test_the_shards_of_one_seed_hunt_disjoint_modules_that_cover_the_suite(tmp_path):
    root = write_suite(tmp_path, SUITE)
    reports = [
        leaks(root, "--shard", f"{index}/2", "--coverage", "--rounds", "1")[1] for index in (1, 2)
    ]
    executed = [{entry["nodeid"] for entry in report["coverage"]} for report in reports]
    assert [report["shard"] for report in reports] == ["1/2", "2/2"]
    assert not executed[0] & executed[1]
    assert len(executed[0] | executed[1]) == 5
    sizes = {"tests/test_env.py": 2, "tests/test_plain.py": 1}
    sizes |= {"tests/test_rate_read.py": 1, "tests/test_rate_set.py": 1}
    owner = assign(sizes, 2, seed=5)
    found = {(p["polluter"], p["victim"]) for report in reports for p in report["pairs"]}
    assert found == {ENV_PAIR, RATE_PAIR}  # seed 5 keeps both pairs' modules together
    for index, report in enumerate(reports, start=1):
        expected = set()
        if owner["tests/test_env.py"] == index:
            expected.add(ENV_PAIR)
        if owner["tests/test_rate_set.py"] == owner["tests/test_rate_read.py"] == index:
            expected.add(RATE_PAIR)  # across shards, that night's hunt cannot see it
        assert {(p["polluter"], p["victim"]) for p in report["pairs"]} == expected
        assert f"--shard {index}/2" in report["rerun"]


def test_xdist_spreading_a_round_is_refused_with_the_ways_to_spread_a_hunt(tmp_path):
    root = write_suite(tmp_path, SUITE)
    result = run_process("leaks", "--", "-n", "2", cwd=root)
    assert result.code == 2
    assert "-n 2: a round is one order in one pytest process" in result.err
    assert "--shard" in result.err
    result = run_process("leaks", "--shard", "1/2", cwd=root)
    assert result.code == 2
    assert "--shard needs --seed" in result.err
