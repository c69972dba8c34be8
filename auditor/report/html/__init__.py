"""`scan --format html` and `leaks --format html`: one self-contained page (inline CSS and
script, the report's JSON embedded, nothing fetched) with the pyramid, the tests and their
evidence, the findings, the duplicates, the fixture graph explorer and the leaks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from auditor.report.contents import Report
from auditor.report.html.data import leaks_page_data, scan_page_data
from auditor.report.html.page import render_page

if TYPE_CHECKING:
    from auditor.analysis.graph import FixtureGraph
    from auditor.api import Rule

__all__ = ["render_leaks_html", "render_scan_html"]


def render_scan_html(
    report: Report,
    *,
    graph: FixtureGraph | None = None,
    rules: Iterable[type[Rule]] = (),
    leaks: Mapping[str, Any] | None = None,
) -> str:
    """The page of a scan; with ``leaks`` (a `leaks --format json` report) its leaks too."""
    data = scan_page_data(report, graph=graph, rules=rules, leaks=leaks)
    return render_page(data, f"test-auditor report: {report.rootdir}")


def render_leaks_html(leaks: Mapping[str, Any]) -> str:
    """The page of a `leaks` report (its JSON object, `leaks_dict`)."""
    return render_page(leaks_page_data(leaks), f"test-auditor leaks: {leaks.get('rootdir', '')}")
