"""`leaks PATH` from outside the suite's rootdir: pytest runs in the rootdir, and must get
the path as seen from there."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.helpers import run_process

pytestmark = pytest.mark.slow


def test_a_suite_named_from_its_parent_folder_is_hunted(tmp_path: Path) -> None:
    suite = tmp_path / "suite"
    (suite / "tests").mkdir(parents=True)
    (suite / "pytest.ini").write_text("[pytest]\ntestpaths = tests\n", encoding="utf-8")
    (suite / "tests" / "test_mode.py").write_text(
        "import os\n\n"
        "def test_reads_mode():\n    assert os.environ.get('TA_PATH_MODE') is None\n\n"
        "def test_sets_mode():\n    os.environ['TA_PATH_MODE'] = 'beta'\n",
        encoding="utf-8",
    )
    result = run_process("leaks", "suite", "--rounds", "1", "--format", "json", cwd=tmp_path)
    assert result.code == 1, result.err
    report = result.json()
    assert report["tests"] == 2
    assert [(p["polluter"], p["victim"]) for p in report["pairs"]] == [
        ("tests/test_mode.py::test_sets_mode", "tests/test_mode.py::test_reads_mode")
    ]
