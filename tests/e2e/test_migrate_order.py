"""`migrate apply --run` and the order pytest runs the moved modules in: a test whose
outcome changes with the new order only (the same outcome alone before and after) is
reported as exposed, not rolled back for; one that changes alone too is rolled back."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from tests.e2e.helpers import RunCli, git, write_suite

pytestmark = pytest.mark.slow

VICTIM = """import sys


def test_nothing_polluted():
    assert not getattr(sys, "ta_polluted", False)
"""
POLLUTER = """import sqlite3
import sys


def test_writes_the_database(tmp_path):
    sqlite3.connect(str(tmp_path / "x.db")).close()
    sys.ta_polluted = True
"""
WHERE = """import sys


def test_not_in_a_unit_folder():
    assert "/unit/" not in sys._getframe().f_code.co_filename.replace("\\\\", "/")
"""


def digests(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
        and not {"__pycache__", ".pytest_cache"} & set(path.parts)
        and path.suffix != ".toml"
    }


def order_suite(root: Path, victim: str) -> Path:
    # before: tests/test_m_victim.py runs before tests/test_z_polluter.py; after the
    # moves tests/integration/ runs before tests/unit/
    return write_suite(
        root,
        {
            "pytest.ini": "[pytest]\ntestpaths = tests\n",
            "tests/test_m_victim.py": victim,
            "tests/test_z_polluter.py": POLLUTER,
        },
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_an_outcome_the_new_order_changes_is_reported_not_rolled_back(
    run_cli: RunCli, tmp_path: Path
) -> None:
    root = order_suite(tmp_path, VICTIM)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "the suite")  # undone and written again: git mv twice
    assert run_cli("migrate", "plan", "--no-cache", cwd=root).code == 0
    result = run_cli("migrate", "apply", "--run", "test-auditor-migration.toml", cwd=root)
    assert result.code == 0, result.out + result.err
    assert "exposed by the new order" in result.out
    assert (
        "tests/unit/test_m_victim.py::test_nothing_polluted: passed before, failed after in "
        "the whole run, passed alone before and after" in result.out
    )
    assert "ran after tests/integration/test_z_polluter.py::test_writes_the_database" in (
        result.out
    )
    assert "`test-auditor leaks`" in result.out
    assert (root / "tests/unit/test_m_victim.py").is_file()
    assert (root / "tests/integration/test_z_polluter.py").is_file()
    assert not (root / "tests/test_m_victim.py").exists()
    status = git(root, "status", "--porcelain").replace("RM", "R ")
    assert "R  tests/test_m_victim.py -> tests/unit/test_m_victim.py" in status


def test_an_outcome_that_changes_alone_too_rolls_back(run_cli: RunCli, tmp_path: Path) -> None:
    root = order_suite(tmp_path, WHERE)
    assert run_cli("migrate", "plan", "--no-cache", cwd=root).code == 0
    files = digests(root)
    result = run_cli("migrate", "apply", "--run", "test-auditor-migration.toml", cwd=root)
    assert result.code == 1, result.out + result.err
    assert (
        "outcome changed: tests/test_m_victim.py::test_not_in_a_unit_folder: passed before, "
        "failed after" in result.out
    )
    assert "exposed by the new order" not in result.out
    assert "NOT RESTORED" not in result.err
    assert digests(root) == files
    assert not (root / "tests/unit").exists()
