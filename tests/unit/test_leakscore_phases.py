"""`benchmarks.leakscore` prints where each seed's executions went, phase by phase."""

from __future__ import annotations

from benchmarks.leakscore import Score, phase_table


def test_the_phase_table_has_a_column_per_phase_in_the_hunts_order_and_a_total_row():
    first = Score(1, by_phase={"rounds": 200, "default order": 100, "pairs": 45})
    second = Score(2, by_phase={"default order": 150, "search": 40, "custom": 3})
    skipped = Score(3, skipped="too big", by_phase={"pairs": 99})
    header, _, *rows, _, total = phase_table([first, second, skipped]).splitlines()
    assert header.split() == ["seed", "default", "order", "rounds", "pairs", "search", "custom"]
    assert [row.split() for row in rows] == [
        ["1", "100", "200", "45", "0", "0"],
        ["2", "150", "0", "0", "40", "3"],
    ]
    assert total.split() == ["all", "250", "200", "45", "40", "3"]


def test_no_phases_no_table():
    assert phase_table([Score(1)]) == ""
