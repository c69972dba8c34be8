"""User text in the terminal reports is shown as it is, never read as rich markup: pytest
node ids carry parametrize ids in brackets (``test_get[two words]``), and a message or a
leaked value may quote ``[/x]``, which rich would reject."""

from __future__ import annotations

import io

from rich.console import Console

from auditor.config import ProfileSettings
from auditor.dynamic.probes import Change
from auditor.dynamic.record import TestRecord as Record
from auditor.dynamic.runner.observations import observe
from auditor.dynamic.runner.result import LeakReport, Pair
from auditor.report.leaks_report import render_leaks_terminal

POLLUTER = "tests/test_app.py::test_register[two words]"
VICTIM = "tests/test_app.py::test_empty[sqlite]"


def rendered(report: LeakReport) -> str:
    buffer = io.StringIO()
    render_leaks_terminal(report, Console(file=buffer, width=400))
    return buffer.getvalue()


def test_node_ids_and_leaked_values_keep_their_brackets_in_the_leaks_report():
    change = Change("globals", "app.REGISTRY", "[]", "['[/red]']")
    pair = Pair(POLLUTER, VICTIM, (change,), f"pytest '{POLLUTER}' '{VICTIM}'", "state")
    report = LeakReport(rootdir="/src/[proj]", seed=1, rerun="test-auditor leaks --seed 1")
    report.pairs.append(pair)
    text = rendered(report)
    assert POLLUTER in text
    assert VICTIM in text
    assert "app.REGISTRY = ['[/red]'] (was [])" in text
    assert "/src/[proj]" in text


def test_node_ids_keep_their_brackets_in_the_profile_tables():
    record = Record(
        VICTIM,
        durations={"call": 2.0},
        profile={"peak_kb": 100, "connect": ["127.0.0.1:5432"]},
    )
    report = LeakReport(rootdir="/src", seed=1, rerun="test-auditor leaks --seed 1")
    report.profile = observe([record], ProfileSettings(slow=1.0))
    text = rendered(report)
    assert text.count(VICTIM) == 2  # slowest tests, and reached outside
