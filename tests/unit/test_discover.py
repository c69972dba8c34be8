"""Which files pytest would collect, without importing anything."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from auditor.config import load_config
from auditor.model.discover import IgnoreLookup, SuiteFiles, discover


def touch(path: Path, text: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def files(tmp_path: Path, *paths: Path, lookup: IgnoreLookup | None = None) -> SuiteFiles:
    config = load_config(list(paths) or [tmp_path], invocation_dir=tmp_path)
    return discover(config, list(paths), invocation_dir=tmp_path, ignore_lookup=lookup)


def test_python_files_norecursedirs_and_conftest_chain(tmp_path):
    touch(
        tmp_path / "pytest.ini",
        "[pytest]\npython_files = test_*.py check_*.py\nnorecursedirs = legacy_* .*\n",
    )
    touch(tmp_path / "conftest.py")
    touch(tmp_path / "tests" / "conftest.py")
    touch(tmp_path / "tests" / "test_a.py")
    touch(tmp_path / "tests" / "check_b.py")
    touch(tmp_path / "tests" / "b_test.py")
    touch(tmp_path / "tests" / "helpers.py")
    touch(tmp_path / "tests" / "legacy_old" / "test_old.py")
    touch(tmp_path / "tests" / ".hidden" / "test_h.py")
    touch(tmp_path / "venv2" / "pyvenv.cfg")
    touch(tmp_path / "venv2" / "test_in_venv.py")
    found = files(tmp_path)
    assert sorted(found.test_files) == ["tests/check_b.py", "tests/test_a.py"]
    assert found.conftests == ("conftest.py", "tests/conftest.py")


def test_explicit_file_is_collected_whatever_its_name(tmp_path):
    touch(tmp_path / "pytest.ini", "[pytest]\n")
    touch(tmp_path / "helpers.py")
    found = files(tmp_path, tmp_path / "helpers.py")
    assert found.test_files == ("helpers.py",)


def test_testpaths_are_used_without_arguments(tmp_path):
    touch(tmp_path / "pytest.ini", "[pytest]\ntestpaths = tests\n")
    touch(tmp_path / "tests" / "test_a.py")
    touch(tmp_path / "other" / "test_b.py")
    assert files(tmp_path).test_files == ("tests/test_a.py",)


@pytest.mark.parametrize(
    ("script", "text"),
    [
        ("scripts/test.sh", '#!/bin/sh\nset -e\ncoverage run -m pytest tests "${@}"\n'),
        ("tox.ini", "[testenv]\ndeps =\n    pytest\ncommands =\n    pytest -k fast tests\n"),
        (
            "noxfile.py",
            "def t(session):\n    session.install('pytest')\n    session.run('pytest', 'tests')\n",
        ),
        (
            "pyproject.toml",
            '[project]\ndependencies = ["pytest>=7"]\n[tool.pdm.scripts]\ntest = "pytest tests"\n',
        ),
    ],
)
def test_without_testpaths_the_projects_pytest_commands_name_the_suite(tmp_path, script, text):
    touch(tmp_path / script, text)
    touch(tmp_path / "tests" / "test_a.py")
    touch(tmp_path / "docs_src" / "tutorial" / "test_main.py")
    assert files(tmp_path).test_files == ("tests/test_a.py",)


@pytest.mark.parametrize(
    "text",
    [
        "commands =\n    pytest -v --basetemp={envtmpdir} {posargs}\n",
        "commands =\n    pytest tests\n    pytest --doctest-modules\n",
        "commands = pytest -k docs_src\n",
    ],
)
def test_a_pytest_command_without_paths_keeps_the_whole_rootdir(tmp_path, text):
    touch(tmp_path / "tox.ini", "[testenv]\n" + text)
    touch(tmp_path / "tests" / "test_a.py")
    touch(tmp_path / "docs_src" / "test_main.py")
    assert sorted(files(tmp_path).test_files) == ["docs_src/test_main.py", "tests/test_a.py"]


def test_testpaths_win_over_the_projects_commands(tmp_path):
    touch(tmp_path / "pytest.ini", "[pytest]\ntestpaths = docs_src\n")
    touch(tmp_path / "scripts" / "test.sh", "pytest tests\n")
    touch(tmp_path / "tests" / "test_a.py")
    touch(tmp_path / "docs_src" / "test_main.py")
    assert files(tmp_path).test_files == ("docs_src/test_main.py",)


def test_collect_ignore_from_conftest(tmp_path):
    touch(tmp_path / "pytest.ini", "[pytest]\n")
    touch(tmp_path / "conftest.py")
    touch(tmp_path / "test_keep.py")
    touch(tmp_path / "test_drop.py")
    touch(tmp_path / "gen" / "test_gen.py")
    found = files(tmp_path, lookup=lambda conftest: (("test_drop.py",), ("gen*",)))
    assert found.test_files == ("test_keep.py",)


def test_symlink_loop_is_a_problem_not_a_hang(tmp_path):
    touch(tmp_path / "pytest.ini", "[pytest]\n")
    touch(tmp_path / "tests" / "test_a.py")
    os.symlink(tmp_path / "tests", tmp_path / "tests" / "loop")
    found = files(tmp_path)
    assert found.test_files == ("tests/test_a.py",)
    assert [p.reason for p in found.problems] == ["symlink-loop"]


def test_auditor_excludes(tmp_path):
    touch(
        tmp_path / "pyproject.toml",
        '[tool.test-auditor]\nexclude = ["tests/generated"]\n',
    )
    touch(tmp_path / "tests" / "test_a.py")
    touch(tmp_path / "tests" / "generated" / "test_g.py")
    assert files(tmp_path).test_files == ("tests/test_a.py",)


def forbid(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Make ``folder`` behave as a folder without read or search permission does for a
    normal user (this suite may run as root, where chmod 000 stops nothing)."""
    real_stat, real_scandir = Path.stat, os.scandir

    def denied(path: str | os.PathLike[str]) -> bool:
        return os.fspath(path).startswith(str(folder) + os.sep)

    def stat(self: Path, *args: object, **kwargs: object) -> os.stat_result:
        if denied(self):
            raise PermissionError(13, "Permission denied", str(self))
        return real_stat(self, *args, **kwargs)  # type: ignore[arg-type]

    def scandir(path: str | os.PathLike[str] = ".") -> object:
        if os.fspath(path) == str(folder) or denied(path):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(Path, "stat", stat)
    monkeypatch.setattr(os, "scandir", scandir)


def test_an_unreadable_folder_in_norecursedirs_is_skipped_as_pytest_skips_it(tmp_path, monkeypatch):
    """It aborted every static command (`Permission denied: .../pyvenv.cfg`) although
    pytest collects the suite fine."""
    touch(tmp_path / "pytest.ini", "[pytest]\nnorecursedirs = venv\n")
    touch(tmp_path / "tests" / "test_a.py", "def test_a():\n    pass\n")
    touch(tmp_path / "venv" / "pyvenv.cfg", "home = /usr\n")
    forbid(monkeypatch, tmp_path / "venv")
    found = files(tmp_path)
    assert list(found.test_files) == ["tests/test_a.py"]
    assert found.problems == ()


def test_an_unreadable_folder_elsewhere_is_a_problem_and_the_rest_is_found(tmp_path, monkeypatch):
    touch(tmp_path / "pytest.ini", "[pytest]\n")
    touch(tmp_path / "tests" / "test_a.py", "def test_a():\n    pass\n")
    touch(tmp_path / "private" / "test_b.py", "def test_b():\n    pass\n")
    forbid(monkeypatch, tmp_path / "private")
    found = files(tmp_path)
    assert list(found.test_files) == ["tests/test_a.py"]
    assert [(p.path, p.reason) for p in found.problems] == [("private", "unreadable")]
