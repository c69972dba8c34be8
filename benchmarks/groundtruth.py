"""Compare test-auditor's static model with pytest's own collection on real suites.

For each pinned suite (``benchmarks/suites.py``): fetch the sdist, build its venv,
run ``pytest --collect-only`` there with the ``pytest_groundtruth`` plugin, then
``test-auditor scan --format json`` on the same folder, and print the comparison.
Dumps, reports and logs are kept under the cache folder. Run from the repository::

    .venv/bin/python -m benchmarks.groundtruth [--suite NAME ...] [--skip-scan]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.suites import (
    DEFAULT_CACHE_DIR,
    SUITES,
    Suite,
    auditor_in,
    fetch,
    pytest_command,
    suite_named,
    venv_for,
)
from tests.groundtruth.compare import Comparison, compare, format_comparison

REPO_ROOT = Path(__file__).resolve().parent.parent
PLUGIN_DIR = REPO_ROOT / "tests" / "groundtruth"
DEFAULT_AUDITOR = REPO_ROOT / ".venv" / "bin" / "test-auditor"
DEFAULT_TIMEOUT = 900.0


@dataclass(frozen=True)
class CollectRun:
    """One ground-truth collection of a suite by pytest."""

    suite: Suite
    returncode: int | None
    seconds: float
    dump: dict[str, Any] | None
    log: Path


@dataclass(frozen=True)
class ScanRun:
    """One ``test-auditor scan`` of a suite; ``report`` is None when it failed."""

    returncode: int | None
    seconds: float
    report: dict[str, Any] | None
    problem: str


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--suite",
        action="append",
        choices=[s.name for s in SUITES],
        help="only this suite (repeatable); default: all",
    )
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR)
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT)
    parser.add_argument("--auditor", type=Path, default=None, help="test-auditor path")
    parser.add_argument("--skip-scan", action="store_true", help="only run pytest")
    parser.add_argument(
        "--include-removed",
        action="store_true",
        help="count items that plugins dropped in modifyitems as pytest's",
    )
    parser.add_argument("--limit", type=int, default=15, help="examples per list")
    return parser.parse_args(argv)


def run_logged(
    command: Sequence[str], cwd: Path, env: dict[str, str], timeout: float, log: Path
) -> tuple[int | None, float, str]:
    """Run a command, write its output to ``log``; return code, seconds, stdout."""
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        completed = subprocess.run(
            command,
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as expired:
        seconds = time.perf_counter() - started
        log.write_text(f"timed out after {timeout}s: {expired}\n", encoding="utf-8")
        return None, seconds, ""
    seconds = time.perf_counter() - started
    header = f"$ {' '.join(command)}\n(cwd {cwd}, exit {completed.returncode})\n"
    log.write_text(header + completed.stdout + completed.stderr, encoding="utf-8")
    return completed.returncode, seconds, completed.stdout


def plugin_env() -> dict[str, str]:
    env = dict(os.environ)
    paths = [str(PLUGIN_DIR), env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    return env


def collect_ground_truth(suite: Suite, cache_dir: Path, timeout: float) -> CollectRun:
    root = fetch(suite, cache_dir)
    venv = venv_for(suite, cache_dir)
    dump_path = dump_path_for(suite, cache_dir)
    dump_path.unlink(missing_ok=True)
    plugin = ("-p", "pytest_groundtruth", f"--gt-dump={dump_path}")
    command = pytest_command(suite, venv, *plugin)
    log = cache_dir / "logs" / f"{suite.key}-collect.log"
    code, seconds, _ = run_logged(command, root, plugin_env(), timeout, log)
    dump = load_json(dump_path) if dump_path.exists() else None
    return CollectRun(suite=suite, returncode=code, seconds=seconds, dump=dump, log=log)


def dump_path_for(suite: Suite, cache_dir: Path) -> Path:
    return cache_dir / "dumps" / f"{suite.key}.json"


def load_json(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object")
    return data


def find_auditor(explicit: Path | None) -> Path | None:
    """An explicit --auditor, else None: each suite then uses test-auditor installed
    into its own virtualenv (see `auditor_in`), reading the same pytest and plugins."""
    if explicit is not None:
        return explicit if explicit.exists() else None
    return None


def run_scan(auditor: Path, suite: Suite, cache_dir: Path, timeout: float) -> ScanRun:
    root = fetch(suite, cache_dir)
    command = [str(auditor), "scan", str(root / suite.test_dir)]
    command += ["--format", "json", "--no-cache"]
    log = cache_dir / "logs" / f"{suite.key}-scan.log"
    code, seconds, stdout = run_logged(command, root, dict(os.environ), timeout, log)
    if code is None:
        return ScanRun(None, seconds, None, f"scan timed out; see {log}")
    if code not in (0, 1):
        return ScanRun(code, seconds, None, f"scan exited {code}; see {log}")
    try:
        report = json.loads(stdout)
    except json.JSONDecodeError as error:
        return ScanRun(code, seconds, None, f"scan printed no JSON ({error}); see {log}")
    report_path = cache_dir / "reports" / f"{suite.key}.json"
    report_path.parent.mkdir(parents=True, exist_ok=True)
    report_path.write_text(stdout, encoding="utf-8")
    return ScanRun(code, seconds, report, "")


def file_count(dump: dict[str, Any]) -> int:
    """Number of files that pytest collected at least one item from."""
    items = [*dump.get("items", []), *dump.get("deselected", [])]
    return len({str(item["nodeid"]).split("::")[0] for item in items})


def base_ids(dump: dict[str, Any]) -> int:
    return len({str(item["base"]) for item in dump.get("items", [])})


def describe_collection(run: CollectRun) -> str:
    name = run.suite.name
    if run.dump is None:
        code = "timeout" if run.returncode is None else f"exit {run.returncode}"
        return f"[{name}] pytest wrote no dump ({code}); see {run.log}"
    dump = run.dump
    errors = dump.get("collect_errors", [])
    lines = [
        f"[{name}] pytest {dump['pytest_version']}: exit {run.returncode}, "
        f"{run.seconds:.1f}s; files {file_count(dump)}, items {len(dump['items'])}, "
        f"base ids {base_ids(dump)}, deselected {len(dump.get('deselected', []))}, "
        f"dropped by plugins {len(dump.get('removed', []))}, "
        f"collection errors {len(errors)}"
    ]
    lines += [f"    error {e['nodeid']}: {e.get('exception', e['message'])}" for e in errors]
    return "\n".join(lines)


def summary_row(run: CollectRun, comparison: Comparison | None) -> list[str]:
    dump = run.dump or {}
    row = [
        run.suite.name,
        str(file_count(dump)) if dump else "-",
        str(len(dump.get("items", []))) if dump else "-",
        str(base_ids(dump)) if dump else "-",
        str(len(dump.get("collect_errors", []))) if dump else "-",
        f"{run.seconds:.1f}",
    ]
    if comparison is None:
        return [*row, "-", "-"]
    return [*row, f"{comparison.jaccard:.4f}", f"{comparison.closure_agreement:.2%}"]


def format_table(rows: list[list[str]]) -> str:
    header = ["suite", "files", "items", "base ids", "errors", "collect s"]
    header += ["jaccard", "closures"]
    table = [header, *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True))
        for row in table
    )


def process_suite(suite: Suite, args: argparse.Namespace, auditor: Path | None) -> list[str]:
    run = collect_ground_truth(suite, args.cache_dir, args.timeout)
    print(describe_collection(run), flush=True)
    comparison = None
    if run.dump is not None and auditor is not None:
        scan = run_scan(auditor, suite, args.cache_dir, args.timeout)
        if scan.report is None:
            print(f"[{suite.name}] {scan.problem}")
        else:
            comparison = compare(run.dump, scan.report, include_removed=args.include_removed)
            print(f"[{suite.name}] scan {scan.seconds:.1f}s")
            print(format_comparison(comparison, limit=args.limit))
    print(flush=True)
    return summary_row(run, comparison)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    suites = [suite_named(name) for name in args.suite] if args.suite else SUITES
    explicit = None if args.skip_scan else find_auditor(args.auditor)
    rows = []
    for suite in suites:
        auditor = explicit
        if auditor is None and not args.skip_scan:
            auditor = auditor_in(venv_for(suite, args.cache_dir))
        rows.append(process_suite(suite, args, auditor))
    print(format_table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
