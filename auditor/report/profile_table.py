"""The profile section of the `leaks` and `scan --run` reports: slow and heavy tests and
fixtures, and the tests that reached outside the process; JSON, terminal and markdown."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from auditor.dynamic.runner.observations import (
    HEAVY,
    SLOW,
    STATEMENTS,
    Access,
    FixtureProfile,
    Observations,
    describe_access,
)
from auditor.report.cells import plain

MAX_ROWS = 10


def profile_dict(observations: Observations) -> dict[str, Any]:
    """Every flagged test and fixture, and everything that reached outside."""
    settings = observations.settings
    return {
        "thresholds": {
            "slow": settings.slow,
            "slow_fixture": settings.slow_fixture,
            "heavy_mb": round(settings.heavy_kb / 1024, 3),
            "statements": settings.statements,
            "slow_tier": settings.slow_tier,
        },
        "tests": len(observations.tests),
        "seconds": round(observations.seconds, 2),
        "slow": [
            {"nodeid": t.nodeid, "seconds": round(t.seconds, 4)} for t in observations.flagged(SLOW)
        ],
        "heavy": [
            {"nodeid": t.nodeid, "peak_mb": round(t.peak_kb / 1024, 1)}
            for t in observations.flagged(HEAVY)
        ],
        "statements": [
            {"nodeid": t.nodeid, "statements": t.access.statements + t.access.memory_statements}
            for t in observations.flagged(STATEMENTS)
        ],
        "slow_fixtures": [_fixture(f) for f in observations.slow_fixtures()],
        "external": [
            {"nodeid": t.nodeid, "outcome": t.outcome, **access_dict(t.access)}
            for t in observations.external()
        ],
        "external_fixtures": [
            {**_fixture(f), **access_dict(f.access)} for f in observations.external_fixtures()
        ],
        "notes": list(observations.notes),
    }


def access_dict(access: Access) -> dict[str, Any]:
    """The record's access keys, the kinds in the order of ``ACCESS_KINDS``."""
    return access.in_kind_order().to_json()


def _fixture(fixture: FixtureProfile) -> dict[str, Any]:
    return {
        "name": fixture.name,
        "scope": fixture.scope,
        "where": fixture.where,
        "setups": fixture.setups,
        "setup_seconds": round(fixture.setup_seconds, 4),
        "teardown_seconds": round(fixture.teardown_seconds, 4),
        "slowest": round(fixture.slowest, 4),
    }


def render_profile_terminal(observations: Observations, console: Console) -> None:
    settings = observations.settings
    slow = observations.flagged(SLOW)
    heavy = observations.flagged(HEAVY)
    busy = observations.flagged(STATEMENTS)
    fixtures = observations.slow_fixtures()
    external = observations.external()
    console.print(
        f"[bold]Profile[/bold]  {len(observations.tests)} tests: {len(slow)} slow "
        f"(>= {settings.slow:g} s), {len(heavy)} heavy (>= {settings.heavy_kb / 1024:g} MB), "
        f"{len(busy)} with >= {settings.statements} SQL statements, {len(fixtures)} slow "
        f"fixtures (>= {settings.slow_fixture:g} s), {len(external)} reached outside",
        highlight=False,
    )
    if slow:
        _table(
            console,
            "Slowest tests",
            ("test", "seconds"),
            [(t.nodeid, f"{t.seconds:.2f}") for t in slow],
        )
    if heavy:
        _table(
            console,
            "Heaviest tests",
            ("test", "peak memory rise"),
            [(t.nodeid, f"{t.peak_kb / 1024:.0f} MB") for t in heavy],
        )
    if busy:
        _table(
            console,
            "Most SQL statements",
            ("test", "statements"),
            [(t.nodeid, str(t.access.statements + t.access.memory_statements)) for t in busy],
        )
    if fixtures:
        _table(
            console,
            "Slow fixtures",
            ("fixture", "scope", "defined at", "setups", "slowest", "setup total"),
            [
                (
                    f.name,
                    f.scope,
                    f.where,
                    str(f.setups),
                    f"{f.slowest:.2f} s",
                    f"{f.setup_seconds:.2f} s",
                )
                for f in fixtures
            ],
        )
    rows = [(t.nodeid, "\n".join(describe_access(t.access))) for t in external]
    rows += [
        (f"fixture {f.name} ({f.scope}, {f.where})", "\n".join(describe_access(f.access)))
        for f in observations.external_fixtures()
    ]
    if rows:
        _table(console, "Reached outside the process", ("test or fixture", "what"), rows)
    for note in observations.notes:
        console.print(f"[yellow]note:[/yellow] {escape(note)}", highlight=False)


def _table(
    console: Console, title: str, columns: tuple[str, ...], rows: Sequence[tuple[str, ...]]
) -> None:
    table = Table(title=f"{title} ({len(rows)})", title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows[:MAX_ROWS]:
        table.add_row(*plain(*row))
    console.print(table)
    if len(rows) > MAX_ROWS:
        console.print(f"... and {len(rows) - MAX_ROWS} more (use --format json for all)")


def profile_markdown(observations: Observations) -> list[str]:
    settings = observations.settings
    lines = ["### Profile", ""]
    slow = observations.flagged(SLOW)
    heavy = observations.flagged(HEAVY)
    fixtures = observations.slow_fixtures()
    external = observations.external()
    lines.append(
        f"{len(observations.tests)} tests profiled: {len(slow)} slow (>= {settings.slow:g} s), "
        f"{len(heavy)} heavy (>= {settings.heavy_kb / 1024:g} MB), {len(fixtures)} slow "
        f"fixtures (>= {settings.slow_fixture:g} s), {len(external)} reached outside the "
        "process."
    )
    lines.append("")
    if slow:
        lines += ["| slow test | seconds |", "|---|---:|"]
        lines += [f"| `{t.nodeid}` | {t.seconds:.2f} |" for t in slow[:MAX_ROWS]]
        lines.append("")
    if heavy:
        lines += ["| heavy test | peak memory rise |", "|---|---:|"]
        lines += [f"| `{t.nodeid}` | {t.peak_kb / 1024:.0f} MB |" for t in heavy[:MAX_ROWS]]
        lines.append("")
    if fixtures:
        lines += ["| slow fixture | scope | defined at | slowest |", "|---|---|---|---:|"]
        lines += [
            f"| `{f.name}` | {f.scope} | `{f.where}` | {f.slowest:.2f} s |"
            for f in fixtures[:MAX_ROWS]
        ]
        lines.append("")
    return lines
