"""Which `check` runs are the whole suite's: the folders given against pytest's rootdir and
`testpaths` (suite-wide rules run only then)."""

from __future__ import annotations

from pathlib import Path

from auditor.config import load_config
from auditor.model.check_scope import check_scope
from auditor.testing import write_tree

SUITE = {
    "tests/unit/test_a.py": "def test_a():\n    assert 1\n",
    "tests/api/test_b.py": "def test_b():\n    assert 1\n",
    "docs/test_c.py": "def test_c():\n    assert 1\n",
}


def scope_of(tmp_path: Path, config_text: str, given: list[str]) -> tuple[bool, object]:
    write_tree(tmp_path, {"pytest.ini": config_text, **SUITE})
    config = load_config([tmp_path], invocation_dir=tmp_path)
    scope = check_scope(config, [Path(p) for p in given], tmp_path)
    return scope.partial, scope.report_paths


def test_the_rootdir_given_is_the_whole_suite(tmp_path: Path) -> None:
    assert scope_of(tmp_path, "[pytest]\n", ["."]) == (False, None)
    assert scope_of(tmp_path, "[pytest]\n", [str(tmp_path)]) == (False, None)


def test_every_testpaths_folder_given_is_the_whole_suite(tmp_path: Path) -> None:
    config = "[pytest]\ntestpaths = tests\n"
    assert scope_of(tmp_path, config, ["tests"]) == (False, None)
    globbed = "[pytest]\ntestpaths = tests/*\n"
    assert scope_of(tmp_path, globbed, ["tests/unit", "tests/api"]) == (False, None)


def test_a_folder_or_a_file_short_of_the_suite_is_partial(tmp_path: Path) -> None:
    assert scope_of(tmp_path, "[pytest]\ntestpaths = tests\n", ["tests/unit"])[0] is True
    assert scope_of(tmp_path, "[pytest]\n", ["tests"])[0] is True
    partial, report = scope_of(tmp_path, "[pytest]\n", [".", "tests/unit/test_a.py"])
    assert partial is True
    assert report is None
