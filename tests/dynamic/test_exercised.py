"""Per-test coverage contexts (``--ta-coverage``) on real pytest runs, and reading them back."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from auditor.dynamic.exercised import modules_by_test, read
from auditor.dynamic.runner.driver import PytestDriver


def write(root: Path, name: str, source: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source), encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write(tmp_path, "pytest.ini", "[pytest]\n")
    write(tmp_path, "pkg/__init__.py", "")
    write(tmp_path, "pkg/x.py", "def double(n):\n    value = n * 2\n    return value\n")
    write(tmp_path, "pkg/y.py", "def half(n):\n    return n / 2\n")
    write(
        tmp_path,
        "tests/conftest.py",
        """
        import pytest

        @pytest.fixture
        def two():
            return 2
        """,
    )
    write(tmp_path, "tests/helpers.py", "def check(value):\n    assert value\n")
    write(
        tmp_path,
        "tests/test_a.py",
        """
        from pkg import x, y
        from tests.helpers import check

        def test_a(two):
            check(x.double(two) == 4)

        def test_b():
            assert y.half(2) == 1

        def test_nothing():
            assert True

        def test_again():
            assert x.double(3) == 6
        """,
    )
    write(tmp_path, "tests/__init__.py", "")
    return tmp_path


pytestmark = pytest.mark.slow


def test_each_test_gets_the_project_modules_it_ran_and_no_test_files(project, monkeypatch):
    # Python 3.12+'s sys.monitoring core records a line once, in the first test that runs
    # it; the plugin must pick a core that records it again in each test (test_again).
    monkeypatch.setenv("COVERAGE_CORE", "sysmon")
    run = PytestDriver(rootdir=project, coverage=True).run(None, label="default", probes=True)
    assert run.returncode == 0, run.output
    assert run.coverage is not None
    assert run.coverage.note == ""
    assert run.coverage.tests == {
        "tests/test_a.py::test_a": {"pkg/x.py": 2, "tests/helpers.py": 1},
        "tests/test_a.py::test_b": {"pkg/y.py": 1},
        "tests/test_a.py::test_nothing": {},
        "tests/test_a.py::test_again": {"pkg/x.py": 2},
    }


def test_only_whole_suite_runs_measure(project):
    driver = PytestDriver(rootdir=project, coverage=True)
    run = driver.run(["tests/test_a.py::test_b"], label="alone")
    assert run.coverage is None
    assert driver.exercised is None


def test_a_coverage_already_measuring_the_process_is_left_alone_with_a_note(project):
    """What pytest-cov's --cov (or `coverage run`) does: coverage started before the tests."""
    write(
        project,
        "conftest.py",
        """
        import coverage

        _theirs = coverage.Coverage(data_file=None, config_file=False)
        _theirs.start()
        """,
    )
    run = PytestDriver(rootdir=project, coverage=True).run(None, label="default")
    assert run.returncode == 0, run.output
    assert run.coverage is not None
    assert "already measuring" in run.coverage.note
    assert all(modules == {} for modules in run.coverage.tests.values())
    assert len(run.coverage.tests) == 4


def test_the_record_reader_takes_the_coverage_line_and_skips_a_cut_one(tmp_path):
    record = tmp_path / "record.jsonl"
    assert read(record) is None
    line = {"type": "coverage", "tests": {"t.py::a": {"pkg/x.py": 3}}, "note": ""}
    record.write_text(
        '{"type": "session", "collected": 1}\n'
        '{"type": "test", "nodeid": "t.py::a", "outcome": "passed"}\n'
        + json.dumps(line)
        + "\n"
        + '{"type": "coverage", "tests": {"t.py::a"',  # the process died while writing
        encoding="utf-8",
    )
    assert modules_by_test(record) == {"t.py::a": {"pkg/x.py": 3}}
    record.write_text('{"type": "test", "nodeid": "t.py::a", "outcome": "passed"}\n')
    assert modules_by_test(record) == {}
