"""Progress when stderr is not a terminal: plain lines, a few seconds apart."""

from __future__ import annotations

import io

from auditor.dynamic.runner.driver import child_environment
from auditor.report.progress import PlainProgress


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_line_when_a_run_starts_then_at_most_one_every_few_seconds() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = PlainProgress(stream, every=5.0, clock=clock)
    progress("default order (probed)", 0, 200)
    for done in range(1, 40):  # the driver calls about ten times a second
        clock.now += 0.1
        progress("default order (probed)", done, 200)
    clock.now += 2.0  # 5.9 s after the first line
    progress("default order (probed)", 60, 200)
    progress("targeted order", 0, 200)  # a new run: shown at once
    assert stream.getvalue().splitlines() == [
        "test-auditor: default order (probed): 0/200 tests, 0:00 elapsed",
        "test-auditor: default order (probed): 60/200 tests, 0:05 elapsed",
        "test-auditor: targeted order: 0/200 tests, 0:05 elapsed",
    ]


def test_a_run_of_unknown_length_shows_the_tests_done() -> None:
    stream, clock = io.StringIO(), Clock()
    PlainProgress(stream, clock=clock)("whole suite", 7, 0)
    assert stream.getvalue() == "test-auditor: whole suite: 7 tests, 0:00 elapsed\n"


def test_the_pytest_we_start_is_not_told_it_is_an_xdist_worker() -> None:
    """Run from a test under ``pytest -n``, the suite's own ``worker_id`` fixtures would
    think they are a worker of ours."""
    parent = {"PATH": "/bin", "PYTEST_XDIST_WORKER": "gw1", "PYTEST_XDIST_WORKER_COUNT": "2"}
    parent["PYTEST_CURRENT_TEST"] = "tests/test_x.py::test_y (call)"
    assert child_environment(parent) == {"PATH": "/bin"}
