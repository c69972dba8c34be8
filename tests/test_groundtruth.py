"""The static model against pytest's own view of the shipped sample suites.

pytest runs in a subprocess with the `pytest_groundtruth` plugin (tests/groundtruth/), which
dumps node ids, each item's fixture closure and, when tests run, which of them erred with
ScopeMismatch. The static model must agree exactly on these samples, which were built to
contain the traps other tools get wrong.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from auditor.analysis.resolution import Resolution
from auditor.config import load_config
from auditor.lint.registry import all_rules
from auditor.model.build import BuildOptions
from auditor.model.suite import Suite
from auditor.pipeline import scan
from auditor.report.json_report import report_dict
from tests.groundtruth.compare import compare

SAMPLES = Path(__file__).parent / "samples"
PLUGIN_DIR = Path(__file__).parent / "groundtruth"

pytestmark = pytest.mark.slow


def pytest_dump(suite: Path, tmp_path: Path, *, run: bool) -> dict[str, Any]:
    dump = tmp_path / "dump.json"
    env = {
        **os.environ,
        "PYTHONPATH": str(PLUGIN_DIR),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    args = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "pytest_groundtruth",
        f"--gt-dump={dump}",
        "-p",
        "no:cacheprovider",
        "-q",
    ]
    if not run:
        args.append("--collect-only")
    subprocess.run(args, cwd=suite, env=env, capture_output=True, check=False, timeout=300)
    return dict(json.loads(dump.read_text()))


def static_report(suite: Path) -> tuple[Suite, Resolution, dict[str, Any]]:
    config = load_config([], invocation_dir=suite)
    scanned = scan(
        config, rules=all_rules(), build=BuildOptions(use_cache=False), invocation_dir=suite
    )
    analysis = scanned.analysis
    return analysis.suite, analysis.resolution, report_dict(scanned.report)


@pytest.mark.parametrize("name", ["shop", "traps", "scopes"])
def test_static_model_matches_pytest_collection(name, tmp_path):
    suite = SAMPLES / name
    dump = pytest_dump(suite, tmp_path, run=False)
    _, _, report = static_report(suite)
    result = compare(dump, report)
    assert result.only_pytest == ()
    assert result.only_static == ()
    assert result.jaccard == 1.0
    assert list(result.disagreements) == []
    assert result.common_ids > 10


@pytest.mark.parametrize("name", ["scopes", "shop"])
def test_every_runtime_scope_mismatch_is_found_statically(name, tmp_path):
    suite = SAMPLES / name
    dump = pytest_dump(suite, tmp_path, run=True)
    erred = {
        o["nodeid"].split("[")[0]
        for o in dump["outcomes"]
        if o["scope_mismatch"] and o["when"] == "setup"
    }
    _, resolution, _ = static_report(suite)
    certain = {n for m in resolution.mismatches if m.certain for n in m.tests}
    possible = {n for m in resolution.mismatches if not m.certain for n in m.tests}
    assert erred, "the sample must contain ScopeMismatch errors"
    # Every certain finding errs in pytest; every error is found, as certain or as
    # possible when the scope is a callable evaluated at run time.
    assert certain <= erred
    assert erred <= certain | possible
    assert erred - certain == possible - certain
