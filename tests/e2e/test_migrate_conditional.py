"""`migrate apply` where the static model and pytest's plain collection differ, as on
sympy, whose apply rolled back for each: a module that defines its tests under
`if`/`else` (the model sees both branches, pytest collects one), and `addopts` that
deselect slow tests (`-m unit` after the change replaces that `-m` and selects them)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.e2e.helpers import RunCli, commit_suite

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("git") is None, reason="needs git"),
]

MODULE = """\
import importlib.util

HAVE_IT = importlib.util.find_spec("surely_not_installed_package") is not None

if HAVE_IT:
    def test_with_it():
        assert HAVE_IT
else:
    def test_without_it():
        assert not HAVE_IT
"""


def test_tests_of_a_branch_pytest_does_not_take_do_not_fail_the_verification(
    run_cli: RunCli, tmp_path: Path
) -> None:
    root = tmp_path / "branches"
    (root / "tests").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[tool.pytest.ini_options]\ntestpaths = "tests"\n')
    (root / "tests/test_optional.py").write_text(MODULE)
    commit_suite(root)
    planned = run_cli("migrate", "plan", "--no-cache", cwd=root)
    assert planned.code == 0, planned.err

    applied = run_cli("migrate", "apply", "test-auditor-migration.toml", cwd=root)

    assert applied.code == 0, applied.out + applied.err
    moved = root / "tests/unit/test_optional.py"
    assert moved.read_text().count("pytest.mark.unit") == 1


def test_tests_addopts_deselects_do_not_fail_the_verification(
    run_cli: RunCli, tmp_path: Path
) -> None:
    root = tmp_path / "deselected"
    (root / "tests").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        "[tool.pytest.ini_options]\n"
        'testpaths = "tests"\n'
        "addopts = \"-m 'not slow'\"\n"
        'markers = ["slow: takes long"]\n'
    )
    (root / "tests/test_sums.py").write_text(
        "import pytest\n\n\ndef test_small():\n    assert sum([1, 2]) == 3\n\n\n"
        "@pytest.mark.slow\ndef test_big():\n    assert sum(range(10)) == 45\n"
    )
    commit_suite(root)
    planned = run_cli("migrate", "plan", "--no-cache", cwd=root)
    assert planned.code == 0, planned.err

    applied = run_cli("migrate", "apply", "test-auditor-migration.toml", cwd=root)

    assert applied.code == 0, applied.out + applied.err
    assert (root / "tests/unit/test_sums.py").read_text().count("pytest.mark.unit") == 1
