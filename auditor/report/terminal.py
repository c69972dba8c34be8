"""The rich terminal report of `scan`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.table import Table

from auditor.report.model import Pyramid, Report
from auditor.types import Severity

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def render_terminal(report: Report, console: Console, *, max_findings: int = 50) -> None:
    console.print(f"[bold]test-auditor scan[/bold]  rootdir: {report.rootdir}")
    console.print(
        f"{report.files} test files, {report.conftests} conftest.py, "
        f"{len(report.tests)} tests, {len(report.fixtures)} fixtures"
    )
    if report.pyramid.total:
        _render_pyramid(report.pyramid, console)
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
    if report.duplicates:
        _render_duplicates(report, console)
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


_BAR = 40
_MAX_FOLDERS = 15
_MAX_MIXED = 10


def _render_pyramid(pyramid: Pyramid, console: Console) -> None:
    table = Table(title="Test pyramid", title_justify="left")
    for column, justify in (("tier", "left"), ("tests", "right"), ("share", "right")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    table.add_column("")
    for tier in reversed(pyramid.tiers):
        share = pyramid.share(tier)
        bar = "█" * round(share * _BAR) or ("▏" if pyramid.counts[tier] else "")
        table.add_row(tier, str(pyramid.counts[tier]), f"{share:.0%}", bar)
    console.print(table)
    _render_tier_table(
        console, "Tiers per folder", "folder", pyramid, pyramid.folders, _MAX_FOLDERS
    )
    if pyramid.mixed_files:
        _render_tier_table(
            console, "Files that mix tiers", "file", pyramid, pyramid.mixed_files, _MAX_MIXED
        )


def _render_tier_table(
    console: Console,
    title: str,
    what: str,
    pyramid: Pyramid,
    rows: dict[str, dict[str, int]],
    limit: int,
) -> None:
    """Tests per tier for each folder or file, the largest first."""
    table = Table(title=title, title_justify="left")
    table.add_column(what)
    for tier in pyramid.tiers:
        table.add_column(tier, justify="right")
    ranked = sorted(rows.items(), key=lambda item: -sum(item[1].values()))
    for key, counts in ranked[:limit]:
        table.add_row(key, *(str(counts[t]) for t in pyramid.tiers))
    console.print(table)
    if len(ranked) > limit:
        console.print(f"... and {len(ranked) - limit} more {what}s")


_MAX_GROUPS = 15
_MAX_MEMBERS = 4


def _render_duplicates(report: Report, console: Console) -> None:
    counts = Counter(f"{g.kind} {g.clone}" for g in report.duplicates)
    summary = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
    console.print(f"[bold]Duplicates ({len(report.duplicates)} groups: {summary})[/bold]")
    for group in report.duplicates[:_MAX_GROUPS]:
        similarity = "" if group.similarity >= 1 else f", {group.similarity:.0%} alike"
        console.print(
            f"  {group.kind} · {group.clone}{similarity} · {len(group.members)} members: "
            f"{group.suggestion}",
            highlight=False,
            markup=False,
        )
        for member in group.members[:_MAX_MEMBERS]:
            console.print(f"      {member.path}:{member.line} {member.name}", highlight=False)
        if len(group.members) > _MAX_MEMBERS:
            console.print(f"      ... and {len(group.members) - _MAX_MEMBERS} more")
    hidden = len(report.duplicates) - _MAX_GROUPS
    if hidden > 0:
        console.print(f"  ... and {hidden} more groups (use --format json for all)")


@contextmanager
def make_console(output: Path | None) -> Iterator[Console]:
    """A console on stdout, or on a file for --output."""
    if output is None:
        yield Console()
        return
    with output.open("w", encoding="utf-8") as handle:
        yield Console(file=handle, force_terminal=False, width=120)
