"""Command line: argument parsing and subcommands; no analysis logic lives here.

Exit codes as ruff: 0 nothing found, 1 findings, 2 usage/config error or abnormal end.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from auditor import __version__
from auditor.build import BuildOptions, build_suite
from auditor.config import ConfigError, load_config
from auditor.fixtures import resolve
from auditor.graph import FixtureGraph
from auditor.model import Suite

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


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


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="test-auditor", description="Audit pytest suites statically."
    )
    parser.add_argument("--version", action="version", version=f"test-auditor {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    scan = sub.add_parser("scan", help="report on the whole suite")
    _common(scan)
    scan.add_argument("--format", choices=("terminal", "json"), default="terminal")
    graph = sub.add_parser("graph", help="the fixture dependency graph")
    _common(graph)
    graph.add_argument("--format", choices=("mermaid", "dot", "json", "graphml"), default="mermaid")
    graph.add_argument("--test", metavar="NODEID", help="only this test's closure")
    graph.add_argument(
        "--fixture",
        metavar="NAME",
        help="only this fixture, its users and dependencies",
    )
    return parser


def _suite(args: argparse.Namespace) -> Suite:
    cwd = Path.cwd()
    config = load_config(
        args.paths,
        invocation_dir=cwd,
        config_file=args.config_file,
        rootdir=args.rootdir,
    )
    options = BuildOptions(use_cache=not args.no_cache, cache_dir=args.cache_dir, jobs=args.jobs)
    return build_suite(config, args.paths, invocation_dir=cwd, options=options)


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


def run_scan(args: argparse.Namespace) -> int:
    from auditor.report import build_report
    from auditor.report.json_report import render_json

    suite = _suite(args)
    resolution = resolve(suite)
    report = build_report(suite, resolution, FixtureGraph(suite, resolution))
    if args.format == "json":
        _emit(render_json(report), args.output)
    else:
        from auditor.report.terminal import make_console, render_terminal

        with make_console(args.output) as console:
            render_terminal(report, console)
    return EXIT_FINDINGS if report.findings else EXIT_CLEAN


def run_graph(args: argparse.Namespace) -> int:
    suite = _suite(args)
    resolution = resolve(suite)
    graph = FixtureGraph(suite, resolution)
    nodes: set[str] | None = None
    if args.test:
        nodeid = args.test.split("[")[0]
        if nodeid not in resolution.tests:
            print(f"test-auditor: no test {args.test!r} in the suite", file=sys.stderr)
            return EXIT_ERROR
        nodes = graph.closure(nodeid)
    elif args.fixture:
        nodes = graph.around_fixture(args.fixture)
        if not nodes:
            print(f"test-auditor: no fixture named {args.fixture!r}", file=sys.stderr)
            return EXIT_ERROR
    render = {
        "mermaid": graph.to_mermaid,
        "dot": graph.to_dot,
        "json": graph.to_json,
        "graphml": graph.to_graphml,
    }[args.format]
    _emit(render(nodes), args.output)
    return EXIT_CLEAN


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "scan":
            return run_scan(args)
        return run_graph(args)
    except ConfigError as exc:
        print(f"test-auditor: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_ERROR
    except OSError as exc:
        print(f"test-auditor: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
