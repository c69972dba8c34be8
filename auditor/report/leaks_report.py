"""The report of `test-auditor leaks`: terminal (rich) and JSON (docs/architecture.md)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from auditor.dynamic.runner.result import LeakReport
from auditor.report.cells import plain
from auditor.report.profile_table import profile_dict, render_profile_terminal

VERSION = 1
MAX_STATE = 8
MAX_SILENT_KEYS = 8
"""State left behind by tests that broke nothing: the keys most tests changed, at most."""
MAX_COVERAGE_LISTED = 5


def leaks_dict(report: LeakReport) -> dict[str, Any]:
    """The JSON object: the contract's fields first, then the extras."""
    victims = report.victims()
    polluters = report.polluters()
    return {
        "version": VERSION,
        "seed": report.seed,
        "test_executions": report.executions,
        "executions_by_phase": dict(report.spent),
        "polluters": [
            {
                "nodeid": nodeid,
                "leaked": [c.describe() for c in report.leaked.get(nodeid, ())][:MAX_STATE]
                or sorted({text for pair in pairs for text in pair.state_text()}),
                "victims": [pair.victim for pair in pairs],
            }
            for nodeid, pairs in polluters.items()
        ],
        "victims": [
            {
                "nodeid": nodeid,
                "polluters": [pair.polluter for pair in pairs],
                "state": list(dict.fromkeys(t for pair in pairs for t in pair.state_text())),
                "reproduce": pairs[0].reproduce,
                "found_by": pairs[0].found_by,
            }
            for nodeid, pairs in victims.items()
        ],
        "brittle": [
            {
                "nodeid": b.nodeid,
                "state_setters": list(b.setters),
                "state": [c.describe() for c in b.state],
            }
            for b in report.brittle
        ],
        "flaky": [
            {
                "nodeid": f.nodeid,
                "failure_rate": f.failure_rate,
                "failures": f.failures,
                "executions": f.executions,
            }
            for f in report.flaky
        ],
        "cleaners": [
            {
                "nodeid": c.nodeid,
                "polluter": c.polluter,
                "victim": c.victim,
                "state": [change.describe() for change in c.state],
            }
            for c in report.cleaners
        ],
        "failing": list(report.failing),
        "unresolved": list(report.unresolved),
        "crashed": [crash.to_json() for crash in report.crashed],
        "collection_errors": [
            {"nodeid": nodeid, "error": error} for nodeid, error in report.collection_errors
        ],
        "files_restored": [
            {"path": r.path, "change": r.change, "restored": r.restored, "run": r.run}
            for r in report.restored
        ],
        "databases_restored": [r.to_json() for r in report.databases_restored],
        "not_run": list(report.not_run),
        "pairs": [
            {
                "polluter": p.polluter,
                "victim": p.victim,
                "state": p.state_text(),
                "reproduce": p.reproduce,
                "found_by": p.found_by,
            }
            for p in report.pairs
        ],
        "rootdir": report.rootdir,
        "tests": report.tests,
        "processes": report.processes,
        "seconds": round(report.seconds, 2),
        "rerun": report.rerun,
        "rounds": [
            {
                "label": r.label,
                "seed": r.seed,
                "tests": r.tests,
                "failures": list(r.failures),
                "seconds": round(r.seconds, 2),
            }
            for r in report.rounds
        ],
        "state_left_behind": [
            {
                "nodeid": nodeid,
                "state": [c.describe() for c in changes][:MAX_STATE],
                "changes": [c.to_json() for c in changes],
            }
            for nodeid, changes in report.leaked.items()
        ],
        "runs": [{"label": label, "tests": tests} for label, tests in report.runs],
        "notes": list(report.notes),
        "shard": report.shard or None,
        **_coverage_dict(report),
        **({"profile": profile_dict(report.profile)} if report.profile is not None else {}),
    }


def _coverage_dict(report: LeakReport) -> dict[str, Any]:
    """``coverage`` (with ``--coverage`` only): per test, the project modules it ran."""
    if report.coverage is None:
        return {}
    return {
        "coverage": [
            {"nodeid": nodeid, "modules": dict(sorted(modules.items()))}
            for nodeid, modules in report.coverage.items()
        ]
    }


def coverage_summary(coverage: dict[str, dict[str, int]]) -> list[str]:
    """Lines for the terminal: the tests that ran no project code, the modules most tests
    run (the ones a change would send the most tests to)."""
    if not coverage:
        return ["Coverage: nothing measured."]
    idle = [nodeid for nodeid, modules in coverage.items() if not modules]
    users: dict[str, int] = {}
    for modules in coverage.values():
        for path in modules:
            users[path] = users.get(path, 0) + 1
    lines = [
        f"Coverage: {len(coverage) - len(idle)} of {len(coverage)} tests ran project code, "
        f"{len(users)} modules in all (`--format json`, coverage)."
    ]
    if idle:
        shown = ", ".join(idle[:MAX_COVERAGE_LISTED])
        extra = len(idle) - MAX_COVERAGE_LISTED
        more = f" and {extra} more" if extra > 0 else ""
        lines.append(f"  run no project code ({len(idle)}): {shown}{more}")
    if users:
        ranked = sorted(users.items(), key=lambda item: (-item[1], item[0]))
        shown = ", ".join(f"{path} ({count})" for path, count in ranked[:MAX_COVERAGE_LISTED])
        lines.append(f"  run by the most tests: {shown}")
    return lines


def render_leaks_json(report: LeakReport, extra: Mapping[str, Any] | None = None) -> str:
    """The JSON report; ``extra``: fields to add (a merged report's ``shards``)."""
    return json.dumps({**leaks_dict(report), **(extra or {})}, indent=2) + "\n"


def render_leaks_terminal(report: LeakReport, console: Console) -> None:
    size = report.tests or 1
    shard = f"  shard {report.shard}" if report.shard else ""
    console.print(f"[bold]test-auditor leaks[/bold]  rootdir: {escape(report.rootdir)}{shard}")
    console.print(
        f"{report.tests} tests, {len(report.rounds)} orders, {report.executions} test executions "
        f"({report.executions / size:.1f}x the suite) in {report.processes} pytest runs, "
        f"{report.seconds:.1f} s, seed {report.seed}"
    )
    if report.spent:
        phases = ", ".join(f"{phase} {count}" for phase, count in report.spent.items() if count)
        console.print(f"executions by phase: {escape(phases)}")
    if report.pairs:
        table = Table(title=f"Polluter -> victim ({len(report.pairs)})", title_justify="left")
        for column in ("polluter", "victim", "leaked state", "found by"):
            table.add_column(column, overflow="fold")
        for pair in report.pairs:
            state = "\n".join(pair.state_text()[:MAX_STATE])
            table.add_row(*plain(pair.polluter, pair.victim, state, pair.found_by))
        console.print(table)
        console.print("[bold]Reproduce[/bold]")
        for pair in report.pairs:
            console.print(f"  {pair.reproduce}", markup=False, highlight=False)
    if report.brittle:
        table = Table(title=f"Brittle ({len(report.brittle)})", title_justify="left")
        for column in ("test", "passes only after", "state it needs"):
            table.add_column(column, overflow="fold")
        for brittle in report.brittle:
            table.add_row(
                *plain(
                    brittle.nodeid,
                    "\n".join(brittle.setters) or "(no single test found)",
                    "\n".join(c.describe() for c in brittle.state[:MAX_STATE]),
                )
            )
        console.print(table)
    if report.cleaners:
        table = Table(title=f"Cleaners ({len(report.cleaners)})", title_justify="left")
        for column in ("test", "undoes", "for"):
            table.add_column(column, overflow="fold")
        for cleaner in report.cleaners:
            table.add_row(
                *plain(
                    cleaner.nodeid,
                    "\n".join(c.describe() for c in cleaner.state[:MAX_STATE]),
                    f"{cleaner.polluter} -> {cleaner.victim}",
                )
            )
        console.print(table)
    if report.flaky:
        table = Table(
            title=f"Flaky, not order-dependent ({len(report.flaky)})", title_justify="left"
        )
        table.add_column("test", overflow="fold")
        table.add_column("failed", justify="right")
        for flaky in report.flaky:
            table.add_row(
                *plain(
                    flaky.nodeid,
                    f"{flaky.failures} of {flaky.executions} ({flaky.failure_rate:.0%})",
                )
            )
        console.print(table)
    for title, nodeids in (
        ("Failing in every order and alone", report.failing),
        ("Order-dependent, cause not found", report.unresolved),
    ):
        if nodeids:
            console.print(f"[bold]{title} ({len(nodeids)})[/bold]")
            for nodeid in nodeids:
                console.print(f"  {nodeid}", markup=False, highlight=False)
    if report.collection_errors:
        console.print(
            f"[bold red]Not collected, so not hunted ({len(report.collection_errors)})[/bold red]"
        )
        for nodeid, error in report.collection_errors:
            console.print(f"  {nodeid}: {error}", markup=False, highlight=False)
    if report.crashed:
        console.print(f"[bold red]Ended pytest early ({len(report.crashed)})[/bold red]")
        for crash in report.crashed:
            where = crash.nodeid or "(no test running)"
            console.print(f"  {where}: {crash.why} ({crash.run_label})", markup=False)
        console.print(
            "  Each was left out and the rest of its run went on in a new process.",
            markup=False,
            highlight=False,
        )
    if report.not_run:
        console.print(f"[bold red]Never ran ({len(report.not_run)})[/bold red]")
        for nodeid in report.not_run[:MAX_SILENT_KEYS]:
            console.print(f"  {nodeid}", markup=False, highlight=False)
        if len(report.not_run) > MAX_SILENT_KEYS:
            console.print(f"  and {len(report.not_run) - MAX_SILENT_KEYS} more", markup=False)
    if report.restored:
        console.print(
            f"[bold]Files the suite changed in the project, put back ({len(report.restored)})"
            "[/bold]"
        )
        for restored in report.restored[:MAX_SILENT_KEYS]:
            console.print(f"  {restored.describe()}", markup=False, highlight=False)
        if len(report.restored) > MAX_SILENT_KEYS:
            console.print(f"  and {len(report.restored) - MAX_SILENT_KEYS} more", markup=False)
    if report.databases_restored:
        console.print(
            "[bold]Database state the suite changed, put back "
            f"({len(report.databases_restored)})[/bold]"
        )
        for entry in report.databases_restored[:MAX_SILENT_KEYS]:
            console.print(f"  {entry.describe()}", markup=False, highlight=False)
        if len(report.databases_restored) > MAX_SILENT_KEYS:
            more = len(report.databases_restored) - MAX_SILENT_KEYS
            console.print(f"  and {more} more", markup=False)
    silent = [nodeid for nodeid in report.leaked if nodeid not in report.polluters()]
    if silent:
        console.print(
            f"{len(silent)} more tests left state behind that broke no test here "
            "(`--format json`, state_left_behind):",
            markup=False,
            highlight=False,
        )
        left = report.silent_state()
        for key, tests in left[:MAX_SILENT_KEYS]:
            console.print(f"  {key} ({tests} {'test' if tests == 1 else 'tests'})", markup=False)
        if len(left) > MAX_SILENT_KEYS:
            console.print(f"  and {len(left) - MAX_SILENT_KEYS} more", markup=False)
    if report.coverage is not None:
        for line in coverage_summary(report.coverage):
            console.print(line, markup=False, highlight=False)
    for note in report.notes:
        console.print(f"[yellow]note:[/yellow] {escape(note)}", highlight=False)
    if report.profile is not None:
        render_profile_terminal(report.profile, console)
    if not report.found_anything:
        console.print("[green]No order-dependent tests found.[/green]")
    console.print(f"Rerun: {report.rerun}", markup=False, highlight=False)
