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


NO_CONFIG_SUITE = {
    # No pytest.ini, pyproject.toml, setup.cfg or tox.ini anywhere: pytest finds its rootdir
    # from the arguments alone, as in SQLAlchemy-Utils' sdist.
    "tests/conftest.py": "import pytest\n\n@pytest.fixture\ndef mode():\n    return 'm'\n",
    "tests/test_mode.py": (
        "import os\n\n"
        "def test_reads_mode(mode):\n    assert os.environ.get('TA_NOCONF_MODE') is None\n\n"
        "def test_sets_mode():\n    os.environ['TA_NOCONF_MODE'] = 'beta'\n"
    ),
    "tests/test_other.py": "def test_other():\n    assert True\n",
}


def _no_config_suite(tmp_path: Path) -> Path:
    suite = tmp_path / "suite"
    for relpath, text in NO_CONFIG_SUITE.items():
        (suite / relpath).parent.mkdir(parents=True, exist_ok=True)
        (suite / relpath).write_text(text, encoding="utf-8")
    return suite


def test_leaks_on_a_suite_without_any_configuration_file_from_another_folder(
    tmp_path: Path,
) -> None:
    """The driver's own options must not move pytest's rootdir (they did: `--ta-order PATH`
    made the temporary folder an argument, and every test was deselected). Without a
    configuration file pytest's rootdir is the common ancestor of the invocation folder and
    the arguments: here the folder that holds both `suite/` and `elsewhere/`."""
    _no_config_suite(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_process(
        "leaks", "../suite/tests", "--rounds", "1", "--format", "json", cwd=elsewhere
    )
    assert result.code == 1, result.err
    report = result.json()
    assert report["tests"] == 3
    assert [(p["polluter"], p["victim"]) for p in report["pairs"]] == [
        ("suite/tests/test_mode.py::test_sets_mode", "suite/tests/test_mode.py::test_reads_mode")
    ]
    # stderr is a pipe here: progress comes as plain lines, never on stdout (the JSON)
    assert "test-auditor: " in result.err
    assert " tests, " in result.err


def test_scan_run_on_a_suite_without_any_configuration_file_from_another_folder(
    tmp_path: Path,
) -> None:
    _no_config_suite(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_process("scan", "../suite/tests", "--run", "--format", "json", cwd=elsewhere)
    assert result.code in (0, 1), result.err
    report = result.json()
    assert sorted(t["nodeid"] for t in report["tests"]) == [
        "suite/tests/test_mode.py::test_reads_mode",
        "suite/tests/test_mode.py::test_sets_mode",
        "suite/tests/test_other.py::test_other",
    ]
    assert all(t.get("observed") is not None for t in report["tests"]), report["tests"]
