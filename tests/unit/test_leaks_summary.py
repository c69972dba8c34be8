"""Parts of a leak hunt that need no pytest run: state left behind, the rerun line, paths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from auditor.dynamic.probes import Change
from auditor.dynamic.runner.leaks import LeaksOptions
from auditor.dynamic.runner.result import LeakReport, Pair
from auditor.paths import in_rootdir
from auditor.report.leaks_report import render_leaks_terminal
from auditor.report.terminal import make_console


def cache_fill(test: int) -> Change:
    return Change(
        "globals", "app.tz.CACHE", f"OrderedDict(len={test})", f"OrderedDict(len={test + 1})"
    )


def test_state_left_behind_by_tests_that_broke_nothing_is_summed_up_per_key(tmp_path: Path) -> None:
    report = LeakReport(rootdir="/suite", seed=1, rerun="test-auditor leaks --seed 1")
    report.leaked = {f"t.py::test_{n}": (cache_fill(n),) for n in range(60)}
    report.leaked["t.py::test_env"] = (Change("environ", "os.environ['MODE']", None, "'x'"),)
    report.leaked["t.py::test_polluter"] = (Change("globals", "app.RATE", "1", "2"),)
    report.pairs.append(Pair("t.py::test_polluter", "t.py::test_victim", (), "pytest", "state"))
    assert report.silent_state() == [("app.tz.CACHE", 60), ("os.environ['MODE']", 1)]
    output = tmp_path / "out.txt"
    with make_console(output) as console:
        render_leaks_terminal(report, console)
    text = output.read_text(encoding="utf-8")
    assert "61 more tests left state behind" in text
    assert "  app.tz.CACHE (60 tests)" in text
    assert "  os.environ['MODE'] (1 test)" in text
    assert "test_17" not in text


def test_the_rerun_line_keeps_the_jobs():
    assert "--jobs 2" in LeaksOptions(seed=7, jobs=2).rerun()
    assert "--jobs" not in LeaksOptions(seed=7).rerun()


def test_paths_given_from_another_folder_reach_pytest_relative_to_the_rootdir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pytest runs in the rootdir: ``leaks tests/samples/leaks`` from the repository root
    must not hand it ``tests/samples/leaks`` again."""
    rootdir = tmp_path / "suite"
    (rootdir / "tests").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    assert in_rootdir("suite", rootdir) == "."
    assert in_rootdir("suite/tests/test_a.py::test_b", rootdir) == os.path.join(
        "tests", "test_a.py::test_b"
    )
    assert in_rootdir("elsewhere", rootdir) == str(tmp_path / "elsewhere")
