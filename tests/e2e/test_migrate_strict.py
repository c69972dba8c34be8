"""`migrate apply` on a suite whose addopts already say `--strict-markers` (attrs): pytest 9
refuses `-m unit` before the change registers `unit`, and that must not stop the apply."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from auditor.migrate.plan_file import read
from tests.e2e.helpers import RunCli, commit_suite

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("git") is None, reason="needs git"),
]

PYPROJECT = """\
[tool.pytest.ini_options]
addopts = ["-ra", "--strict-markers", "--strict-config"]
testpaths = "tests"
"""


def test_apply_registers_a_new_marker_in_a_strict_markers_suite(
    run_cli: RunCli, tmp_path: Path
) -> None:
    root = tmp_path / "strict"
    (root / "tests").mkdir(parents=True)
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / "tests/test_add.py").write_text("def test_add():\n    assert 1 + 1 == 2\n")
    commit_suite(root)
    planned = run_cli("migrate", "plan", "--no-cache", cwd=root)
    assert planned.code == 0, planned.err
    plan = read(root / "test-auditor-migration.toml")
    assert plan.moves() == {"tests/test_add.py": "tests/unit/test_add.py"}

    applied = run_cli("migrate", "apply", "test-auditor-migration.toml", cwd=root)

    assert applied.code == 0, applied.out + applied.err
    assert (root / "tests/unit/test_add.py").read_text().count("pytest.mark.unit") == 1
    assert "unit: unit tier" in (root / "pyproject.toml").read_text()
