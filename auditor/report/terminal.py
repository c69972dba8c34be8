"""The rich terminal report of `scan`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.table import Table

from auditor.report.model import Report
from auditor.types import Severity

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def render_terminal(report: Report, console: Console, *, max_findings: int = 50) -> None:
    console.print(f"[bold]test-auditor scan[/bold]  rootdir: {report.rootdir}")
    console.print(
        f"{report.files} test files, {report.conftests} conftest.py, "
        f"{len(report.tests)} tests, {len(report.fixtures)} fixtures"
    )
    if report.most_used:
        table = Table(title="Most used fixtures", title_justify="left")
        for column in ("fixture", "scope", "tests", "defined at"):
            table.add_column(column)
        for hot in report.most_used:
            table.add_row(hot.name, hot.scope, str(hot.used_by), f"{hot.path}:{hot.line}")
        console.print(table)
    if report.longest_chains:
        table = Table(title="Deepest fixture chains", title_justify="left")
        table.add_column("depth", justify="right")
        table.add_column("chain")
        for chain in report.longest_chains:
            table.add_row(str(len(chain.names)), " -> ".join(chain.names))
        console.print(table)
    if report.autouse_reach:
        table = Table(title="Autouse blast radius", title_justify="left")
        for column in ("fixture", "scope", "tests reached", "share", "defined at"):
            table.add_column(column)
        for reach in report.autouse_reach:
            table.add_row(
                reach.name,
                reach.scope,
                str(reach.tests),
                f"{reach.share:.0%}",
                f"{reach.path}:{reach.line}",
            )
        console.print(table)
    if not report.findings:
        console.print("[green]No problems found.[/green]")
        return
    console.print(f"[bold]Problems ({len(report.findings)})[/bold]")
    for finding in report.findings[:max_findings]:
        console.print(
            f"{finding.path}:{finding.line}:{finding.col}: "
            f"[{_STYLE[finding.severity]}]{finding.rule}[/] {finding.message}",
            highlight=False,
            markup=True,
        )
    hidden = len(report.findings) - max_findings
    if hidden > 0:
        console.print(f"... and {hidden} more (use --format json for all)")


@contextmanager
def make_console(output: Path | None) -> Iterator[Console]:
    """A console on stdout, or on a file for --output."""
    if output is None:
        yield Console()
        return
    with output.open("w", encoding="utf-8") as handle:
        yield Console(file=handle, force_terminal=False, width=120)
