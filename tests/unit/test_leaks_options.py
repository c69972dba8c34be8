"""`leaks` options that need no pytest run: xdist arguments refused, the coverage summary."""

from __future__ import annotations

import pytest

from auditor.dynamic.runner.leaks import _xdist_arguments
from auditor.report.leaks_report import coverage_summary


@pytest.mark.parametrize(
    ("arguments", "refused"),
    [
        (["-n", "4"], ["-n 4"]),
        (["-nauto", "-x"], ["-nauto"]),
        (["--numprocesses=2"], ["--numprocesses=2"]),
        (["--dist", "loadfile"], ["--dist loadfile"]),
        (["-d", "--tx", "popen"], ["-d", "--tx popen"]),
        (["-n", "0"], []),
        (["-n0", "--dist=no"], []),
        (["-m", "not slow", "-k", "api"], []),
    ],
)
def test_only_arguments_that_turn_xdist_distribution_on_are_refused(arguments, refused):
    assert _xdist_arguments(arguments) == refused


def test_the_coverage_summary_names_idle_tests_and_the_most_run_modules():
    coverage = {
        "t.py::a": {"app/db.py": 4, "app/web.py": 2},
        "t.py::b": {"app/db.py": 1},
        "t.py::c": {},
    }
    assert coverage_summary(coverage) == [
        "Coverage: 2 of 3 tests ran project code, 2 modules in all (`--format json`, coverage).",
        "  run no project code (1): t.py::c",
        "  run by the most tests: app/db.py (2), app/web.py (1)",
    ]
    assert coverage_summary({}) == ["Coverage: nothing measured."]
