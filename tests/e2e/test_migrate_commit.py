"""`migrate apply --commit` in a temporary git repository: the moves as one commit that
git shows as renames at 100% similarity, the edits as a second one; refused outside a
git work tree and when the index holds unrelated staged changes. And what a successful
apply says and tidies: the stale references to old paths in tracked config files, the
folders the moves emptied; a safe fix of `check` applied as a codemod operation."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.e2e.helpers import RunCli, git

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("git") is None, reason="needs git"),
]

FILES = {
    "pytest.ini": "[pytest]\ntestpaths = tests\n",
    "tox.ini": "[flake8]\nper-file-ignores =\n    tests/api/test_health.py: E501\n",
    ".github/workflows/ci.yml": "steps:\n  - run: pytest tests/test_db.py::test_db\n",
    "tests/__init__.py": "",
    "tests/api/__init__.py": "",
    "tests/api/test_health.py": '"""Health."""\n\n\ndef test_health():\n    assert True\n',
    "tests/test_env.py": (
        "import os\n\n\ndef test_env():\n    os.environ['MODE'] = 'x'\n"
        "    assert os.environ['MODE'] == 'x'\n"
    ),
    "tests/test_db.py": (
        '"""Database."""\n\nfrom __future__ import annotations\n\nimport sqlite3\n\n\n'
        "def test_db(tmp_path):\n    sqlite3.connect(str(tmp_path / 'x.db')).close()\n"
    ),
}


def make(root: Path, *, repository: bool = True) -> Path:
    for name, content in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    if repository:
        (root / ".gitignore").write_text("test-auditor-migration.toml\n")
        git(root, "init", "-q")
        git(root, "config", "user.email", "t@example.com")
        git(root, "config", "user.name", "t")
        git(root, "add", "-A")
        git(root, "commit", "-qm", "the suite")
    return root


def test_commit_makes_a_rename_commit_then_an_edit_commit(run_cli: RunCli, tmp_path: Path) -> None:
    root = make(tmp_path / "suite")
    assert run_cli("migrate", "plan", "--no-cache", cwd=root).code == 0
    result = run_cli("migrate", "apply", "--commit", "test-auditor-migration.toml", cwd=root)
    assert result.code == 0, result.out + result.err

    log = git(root, "log", "--format=%s").splitlines()
    assert len(log) == 3
    assert log[1].startswith("test-auditor migrate: move 3 test modules")
    moves = git(root, "diff", "--name-status", "-M", "HEAD~2", "HEAD~1").splitlines()
    assert sorted(moves) == [
        "R100\ttests/api/test_health.py\ttests/unit/api/test_health.py",
        "R100\ttests/test_db.py\ttests/integration/test_db.py",
        "R100\ttests/test_env.py\ttests/unit/test_env.py",
    ]
    edits = git(root, "diff", "--name-status", "--no-renames", "HEAD~1", "HEAD").splitlines()
    assert "M\ttests/integration/test_db.py" in edits
    assert "D\ttests/api/__init__.py" in edits  # the folder the moves emptied
    assert git(root, "status", "--porcelain") == ""
    assert not (root / "tests/api").exists()

    db = (root / "tests/integration/test_db.py").read_text()
    assert db.startswith(
        '"""Database."""\n\nfrom __future__ import annotations\n\nimport sqlite3\n\n'
        "import pytest\n\npytestmark = pytest.mark.integration\n"
    )
    env = (root / "tests/unit/test_env.py").read_text()  # TA301's fix, a codemod operation
    assert "def test_env(monkeypatch):\n    monkeypatch.setenv('MODE', 'x')\n" in env
    assert "Stale references to old paths or node ids" in result.out
    assert (
        "tox.ini:3: names `tests/api/test_health.py` (now tests/unit/api/test_health.py)"
        in result.out
    )
    assert ".github/workflows/ci.yml:2: names `tests/test_db.py`" in result.out


def test_commit_is_refused_with_unrelated_staged_changes(run_cli: RunCli, tmp_path: Path) -> None:
    root = make(tmp_path / "suite")
    assert run_cli("migrate", "plan", "--no-cache", cwd=root).code == 0
    (root / "README.md").write_text("staged, not the migration's\n")
    git(root, "add", "README.md")
    before = git(root, "status", "--porcelain")

    result = run_cli("migrate", "apply", "--commit", "test-auditor-migration.toml", cwd=root)

    assert result.code == 2
    assert "the index has staged changes the migration did not make (README.md)" in result.err
    assert git(root, "status", "--porcelain") == before
    assert len(git(root, "log", "--format=%s").splitlines()) == 1


def test_commit_is_refused_outside_a_git_work_tree(run_cli: RunCli, tmp_path: Path) -> None:
    root = make(tmp_path / "suite", repository=False)
    assert run_cli("migrate", "plan", "--no-cache", cwd=root).code == 0
    result = run_cli("migrate", "apply", "--commit", "test-auditor-migration.toml", cwd=root)
    assert result.code == 2
    assert "--commit needs a git work tree" in result.err
    assert (root / "tests/test_db.py").is_file()
