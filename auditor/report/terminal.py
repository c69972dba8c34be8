"""The rich terminal report of `scan`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from auditor.analysis.confirm import verdict_counts
from auditor.report.cells import plain
from auditor.report.contents import Pyramid, Report, deselected_text, items_text
from auditor.report.profile_table import render_profile_terminal
from auditor.types import Severity, percent

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def render_terminal(report: Report, console: Console, *, max_findings: int = 50) -> None:
    console.print(f"[bold]test-auditor scan[/bold]  rootdir: {escape(str(report.rootdir))}")
    console.print(
        f"{report.files} test files, {report.conftests} conftest.py, "
        f"{len(report.tests)} tests ({items_text(report)} as pytest counts them), "
        f"{len(report.fixtures)} fixtures"
    )
    deselected = deselected_text(report)
    if deselected:
        console.print(f"{escape(deselected)} (known, not run, not counted)")
    if report.environment is not None:
        console.print(
            f"pytest and plugins read from {escape(report.environment.describe())}",
            highlight=False,
        )
    for note in report.notes:
        console.print(f"[yellow]note:[/yellow] {escape(note)}")
    if report.pyramid.total:
        _render_pyramid(report.pyramid, console)
    if report.run is not None:
        _render_run(report, console)
    if report.most_used:
        table = Table(title="Most used fixtures", title_justify="left")
        for column in ("fixture", "scope", "tests", "defined at"):
            table.add_column(column)
        for hot in report.most_used:
            table.add_row(*plain(hot.name, hot.scope, hot.used_by, f"{hot.path}:{hot.line}"))
        console.print(table)
    if report.longest_chains:
        table = Table(title="Deepest fixture chains", title_justify="left")
        table.add_column("depth", justify="right")
        table.add_column("chain")
        for chain in report.longest_chains:
            table.add_row(*plain(len(chain.names), " -> ".join(chain.names)))
        console.print(table)
    if report.autouse_reach:
        table = Table(title="Autouse blast radius", title_justify="left")
        for column in ("fixture", "scope", "tests reached", "share", "defined at"):
            table.add_column(column)
        for reach in report.autouse_reach:
            table.add_row(
                *plain(
                    reach.name,
                    reach.scope,
                    reach.tests,
                    f"{reach.share:.0%}",
                    f"{reach.path}:{reach.line}",
                )
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
            f"[{_STYLE[finding.severity]}]{finding.rule}[/] {escape(finding.message)}",
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
        table.add_row(*plain(key, *(counts[t] for t in pyramid.tiers)))
    console.print(table)
    if len(ranked) > limit:
        console.print(f"... and {len(ranked) - limit} more {what}s")


_MAX_DISAGREEMENTS = 20


def _render_run(report: Report, console: Console) -> None:
    """`scan --run`: where the run and the static tiers disagree, then the profile."""
    run = report.run
    assert run is not None
    outcomes = ", ".join(f"{n} {outcome}" for outcome, n in verdict_counts(run.verdicts).items())
    console.print(
        f"[bold]Run vs static tiers[/bold]  {len(run.observations.tests)} test executions in "
        f"{run.observations.seconds:.1f} s ({outcomes}); tiers corrected: {run.corrected}, "
        f"tests that disagree: {run.disagreements}",
        highlight=False,
    )
    rows = [t for t in report.tests if t.run is not None and t.run.disagreements]
    if rows:
        table = Table(title="Disagreements", title_justify="left")
        for column in ("test", "static", "run", "why"):
            table.add_column(column, overflow="fold")
        for row in rows[:_MAX_DISAGREEMENTS]:
            assert row.run is not None
            table.add_row(
                *plain(
                    f"{row.nodeid} ({row.path}:{row.line})",
                    row.run.static_tier,
                    row.run.tier,
                    "\n".join(row.run.disagreements),
                )
            )
        console.print(table)
        if len(rows) > _MAX_DISAGREEMENTS:
            console.print(f"... and {len(rows) - _MAX_DISAGREEMENTS} more (use --format json)")
    if run.unmatched:
        examples = escape(", ".join(run.unmatched[:5]))
        console.print(
            f"[yellow]note:[/yellow] the run executed {len(run.unmatched)} tests the static "
            f"model does not have (a model bug, please report): {examples}",
            highlight=False,
        )
    render_profile_terminal(run.observations, console)


_MAX_GROUPS = 15
_MAX_MEMBERS = 4


def _render_duplicates(report: Report, console: Console) -> None:
    counts = Counter(f"{g.kind} {g.clone}" for g in report.duplicates)
    summary = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
    console.print(f"[bold]Duplicates ({len(report.duplicates)} groups: {summary})[/bold]")
    for group in report.duplicates[:_MAX_GROUPS]:
        similarity = "" if group.similarity >= 1 else f", {percent(group.similarity)} alike"
        console.print(
            f"  {group.kind} · {group.clone}{similarity} · {len(group.members)} members: "
            f"{group.suggestion}",
            highlight=False,
            markup=False,
        )
        for member in group.members[:_MAX_MEMBERS]:
            console.print(
                f"      {member.path}:{member.line} {member.name}", highlight=False, markup=False
            )
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
