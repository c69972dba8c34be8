"""The command line's arguments: one parser, its subcommands and their options.

The only module with argparse besides the commands that read the parsed arguments
(:mod:`auditor.cli.commands`); everything below the command line gets plain values."""

from __future__ import annotations

import argparse
from pathlib import Path

from auditor import __version__


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="*", type=Path, help="files or folders (default: testpaths or .)"
    )
    parser.add_argument("--no-cache", action="store_true", help="parse everything afresh")
    parser.add_argument("--cache-dir", type=Path, help="cache folder (default .test-auditor-cache)")
    parser.add_argument("--config-file", "-c", type=Path, help="pytest config file to use")
    parser.add_argument("--rootdir", type=Path, help="pytest rootdir to use")
    parser.add_argument("--jobs", "-j", type=int, help="worker processes for parsing")
    parser.add_argument("--output", "-o", type=Path, help="write the report to this file")


def _selection(parser: argparse.ArgumentParser) -> None:
    def codes(value: str) -> list[str]:
        return [v.strip() for v in value.split(",") if v.strip()]

    parser.add_argument("--select", type=codes, help="only these rules (codes, prefixes, names)")
    parser.add_argument("--extend-select", type=codes, default=[], help="add these rules")
    parser.add_argument("--ignore", type=codes, default=[], help="skip these rules")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="test-auditor", description="Audit pytest suites statically."
    )
    parser.add_argument("--version", action="version", version=f"test-auditor {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    scan = sub.add_parser(
        "scan",
        help="report on the whole suite",
        description="With --run, arguments after `--` go to pytest (e.g. -- -m 'not slow').",
    )
    _common(scan)
    _selection(scan)
    scan.add_argument(
        "--format", choices=("terminal", "json", "markdown", "html"), default="terminal"
    )
    scan.add_argument(
        "--leaks",
        type=Path,
        metavar="FILE",
        help="with --format html: add this `leaks --format json` report to the page",
    )
    scan.add_argument(
        "--run",
        action="store_true",
        help="run the suite once, profiled, to confirm or correct the static tiers",
    )
    _run_options(scan)
    check = sub.add_parser("check", help="lint test files and conftests (pre-commit, CI)")
    _common(check)
    _selection(check)
    check.add_argument("--format", choices=("text", "json", "sarif", "github"), default="text")
    check.add_argument("--fix", action="store_true", help="apply safe fixes")
    check.add_argument(
        "--unsafe-fixes", action="store_true", help="also apply (or show) unsafe fixes"
    )
    check.add_argument(
        "--diff", action="store_true", help="print the fixes as a diff; write nothing"
    )
    check.add_argument("--baseline", type=Path, help="report only findings not in this file")
    check.add_argument(
        "--write-baseline", type=Path, metavar="FILE", help="record today's findings"
    )
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings")
    _python_option(check)
    graph = sub.add_parser("graph", help="the fixture dependency graph")
    _common(graph)
    graph.add_argument("--format", choices=("mermaid", "dot", "json", "graphml"), default="mermaid")
    graph.add_argument("--test", metavar="NODEID", help="only this test's closure")
    graph.add_argument(
        "--fixture",
        metavar="NAME",
        help="only this fixture, its users and dependencies",
    )
    graph.add_argument(
        "--max-nodes",
        type=int,
        default=300,
        metavar="N",
        help="mermaid and dot: above N nodes, show the tests of each folder as one node and "
        "cluster fixtures by folder (default 300; 0: no limit)",
    )
    graph.add_argument(
        "--all",
        action="store_true",
        help="also the fixtures no test uses (builtins, plugins' and the suite's own)",
    )
    _python_option(graph)
    leaks = sub.add_parser(
        "leaks",
        help="run the suite in several orders; find polluters, victims, brittle and flaky tests",
        description="Arguments after `--` go to pytest (e.g. -- -m 'not network'). "
        "`test-auditor leaks merge REPORT.json...` joins the reports of --shard runs.",
    )
    leaks.add_argument("paths", nargs="*", help="files or folders pytest gets (default: its own)")
    leaks.add_argument("--config-file", "-c", type=Path, help="pytest config file to use")
    leaks.add_argument("--rootdir", type=Path, help="pytest rootdir to use")
    leaks.add_argument("--output", "-o", type=Path, help="write the report to this file")
    leaks.add_argument("--format", choices=("terminal", "json", "html"), default="terminal")
    leaks.add_argument("--rounds", type=int, help="orders beyond the default one (default 2)")
    leaks.add_argument("--seed", type=int, help="seed of the shuffled rounds (default: random)")
    leaks.add_argument(
        "--budget", help="most test executions (e.g. 500) or minutes (e.g. 10m) to spend"
    )
    leaks.add_argument("--jobs", "-j", type=int, default=1, help="rounds run in parallel")
    _probe_options(leaks)
    _run_options(leaks)
    leaks.add_argument(
        "--coverage",
        action="store_true",
        help="record the project modules each test runs (in the default-order run)",
    )
    leaks.add_argument(
        "--shard",
        metavar="I/N",
        help="hunt in the I-th of N parts of the suite (whole modules; same --seed everywhere)",
    )
    _leaks_merge(sub)
    _migrate(sub)
    rules = sub.add_parser("rules", help="list the rules")
    rules.add_argument("--format", choices=("text", "json"), default="text")
    rule = sub.add_parser("rule", help="print one rule's documentation")
    rule.add_argument("code", help="a rule code such as TA201, or its name")
    return parser


LEAKS_MERGE = "leaks merge"
"""The command `test-auditor leaks merge` (its two words are one command to the parser)."""


def _leaks_merge(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    merge = sub.add_parser(
        LEAKS_MERGE,
        prog="test-auditor leaks merge",
        help="join the JSON reports of `leaks --shard I/N` into one report",
        description="Join the JSON reports of `leaks --shard I/N --seed S` (one per shard, the "
        "same seed) into the report of the whole suite. With --across-shards, also run the "
        "suite once more, every shard's leakers first, to find the pairs whose polluter and "
        "victim fell in different shards.",
    )
    merge.add_argument("reports", nargs="+", type=Path, metavar="REPORT.json")
    merge.add_argument("--format", choices=("terminal", "json", "html"), default="terminal")
    merge.add_argument("--output", "-o", type=Path, help="write the report to this file")
    merge.add_argument(
        "--allow-missing", action="store_true", help="merge the shards given when some are missing"
    )
    merge.add_argument(
        "--across-shards",
        action="store_true",
        help="run one more order to find the pairs a shard boundary hid (polluter and victim "
        "in different shards)",
    )
    merge.add_argument("--config-file", "-c", type=Path, help="pytest config file to use")
    merge.add_argument("--rootdir", type=Path, help="pytest rootdir to use")
    merge.add_argument("--budget", help="most test executions or minutes the pass may spend")
    _probe_options(merge)
    _run_options(merge)


def _migrate(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    migrate = sub.add_parser(
        "migrate",
        help="restructure the suite into its tiers as one reviewed change",
        description="plan: write the reviewed plan (static); diff: show its change; "
        "apply: write it, verify it through pytest, put every byte back on a failed check.",
    )
    steps = migrate.add_subparsers(dest="migrate_command", required=True)
    plan = steps.add_parser("plan", help="write the migration plan (never imports the suite)")
    _common(plan)  # --output: the plan file (default test-auditor-migration.toml)
    _python_option(plan)
    diff = steps.add_parser("diff", help="print the plan's change as a diff; write nothing")
    diff.add_argument("plan", type=Path, metavar="PLAN")
    apply = steps.add_parser("apply", help="apply the plan and verify it through pytest")
    apply.add_argument("plan", type=Path, metavar="PLAN")
    apply.add_argument(
        "--run", action="store_true", help="also run the suite before and after: same outcomes"
    )
    apply.add_argument(
        "--commit",
        action="store_true",
        help="commit the moves (renames only), then the edits, as two commits (in a git "
        "work tree with nothing else staged)",
    )
    _run_options(apply)


def _probe_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db-url", help="also count rows per table in this database")
    parser.add_argument("--redis-url", help="also count keys in this Redis")
    parser.add_argument("--probes", help="state probes to run, comma-separated (default: all)")


_PYTHON_HELP = (
    "the suite's interpreter or virtualenv: its pytest and plugins are read (default: "
    "VIRTUAL_ENV, a .venv or venv in the rootdir, else this one)"
)


def _python_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--python", help=_PYTHON_HELP)


def _run_options(parser: argparse.ArgumentParser) -> None:
    """How the commands that run the suite (`leaks`, `scan --run`) start pytest."""
    parser.add_argument(
        "--python", help=f"{_PYTHON_HELP}; with --run and for leaks, it runs pytest"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        help="seconds one test may run before its pytest is ended (default 300; 0: no limit)",
    )
