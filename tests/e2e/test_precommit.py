"""The pre-commit hooks, proven with a real `pre-commit try-repo` against a throwaway
git repository: pre-commit installs this project into its own virtualenv (from PyPI for
the dependencies) and runs the hooks on the repository's files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.helpers import REPO_ROOT, write_suite
from tests.e2e.test_check import FIXED_HELPER_CLASS, HELPER_CLASS, SCOPE_CONFTEST, USES_CATALOG

pytestmark = pytest.mark.slow


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    write_suite(
        tmp_path,
        {
            "pytest.ini": "[pytest]\n",
            "tests/conftest.py": SCOPE_CONFTEST,
            "tests/test_catalog.py": USES_CATALOG,
            "tests/test_factory.py": HELPER_CLASS,
            "src/app.py": "VALUE = 1\n",
        },
    )
    _git("init", "-q", cwd=tmp_path)
    _git("add", "-A", cwd=tmp_path)
    return tmp_path


def _try_repo(repo: Path, home: Path, hook: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.update(
        PRE_COMMIT_HOME=str(home),
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@t",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@t",
    )
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pre_commit",
            "try-repo",
            str(REPO_ROOT),
            hook,
            "--all-files",
            "--color",
            "never",
        ],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def test_check_hook_reports_findings(repo: Path, pre_commit_home: Path) -> None:
    result = _try_repo(repo, pre_commit_home, "test-auditor")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "tests/conftest.py:10:1: TA201" in output
    assert "tests/test_factory.py:1:1: TA103" in output
    assert "src/app.py" not in output


def test_fix_hook_fixes_files(repo: Path, pre_commit_home: Path) -> None:
    result = _try_repo(repo, pre_commit_home, "test-auditor-fix")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output  # files were modified, and TA201 remains
    assert "Fixed 1 problem." in output
    assert (repo / "tests/test_factory.py").read_text() == FIXED_HELPER_CLASS
