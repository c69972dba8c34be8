"""Marks that put a test among the timing tests, for the timing rules: a suite runs
those apart (``-m "not slow"``), so what they wait or measure is a known cost."""

from __future__ import annotations

import re

from auditor.api import FunctionView

PERFORMANCE_MARK = re.compile(r"perf|bench|timing|slow|load", re.IGNORECASE)
"""Marks that put a test among the timing tests: performance, perf, benchmark, slow..."""


def marked_as_timing(view: FunctionView) -> bool:
    """Whether the test carries a mark such as `performance`, `benchmark` or `slow`."""
    return any(PERFORMANCE_MARK.search(mark) for mark in view.marks)
