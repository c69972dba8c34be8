from pathlib import Path

from leakapp import reports


def test_no_reports_pending_on_a_fresh_install():
    assert reports.pending_reports() == []


def test_export_daily_report_writes_csv():
    path = reports.export_daily_report([(1, "alice", 42.0)])
    assert Path(path).read_text().splitlines() == ["order_id,customer,total", "1,alice,42.0"]
