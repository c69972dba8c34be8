"""`benchmarks.bench_scan` prints the README's table from a run or from its ``--json``."""

from __future__ import annotations

import json

from benchmarks.bench_scan import SuiteTimings, main, markdown_table, read_timings


def timings() -> SuiteTimings:
    return SuiteTimings(
        suite="demo-1.0",
        test_files=3,
        cold=[4.0, 5.0, 6.0],
        warm=[0.5],
        collect=[10.0],
        check_one=[0.25],
        touched_test=[1.0],
        touched_conftest=[2.0],
        mtime_test=[0.6],
        mtime_conftest=[0.75],
    )


def test_the_markdown_table_has_the_medians_and_ratios():
    table = markdown_table([timings()])
    header, rule, row = table.splitlines()
    assert header.count("|") == rule.count("|") == row.count("|")
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells == [
        "demo-1.0 (3)",
        "10.00 s",
        "5.00 s",
        "0.50 s",
        "0.25 s",
        "0.60 s",
        "0.75 s",
        "1.00 s",
        "2.00 s",
        "0.50",
        "0.10",
        "1.20",
        "0.15",
        "2.00",
        "0.40",
    ]


def test_earlier_runs_are_read_back_from_their_json(tmp_path, capsys):
    out = tmp_path / "timings.json"
    out.write_text(json.dumps({"runs": 1, "suites": [timings().summary()]}))
    assert read_timings([out]) == [timings()]
    assert main(["--from-json", str(out)]) == 0
    assert markdown_table([timings()]) in capsys.readouterr().out
