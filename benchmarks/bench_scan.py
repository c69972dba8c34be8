"""Time ``test-auditor scan`` (cold and warm) against ``pytest --collect-only``.

Per pinned suite (``benchmarks/suites.py``) it takes the median of ``--runs`` wall
times of: a cold scan (a fresh, empty ``--cache-dir`` each run), a warm scan (one
shared ``--cache-dir``, primed once, nothing changed), and ``python -m pytest
--collect-only -q`` on the same files in the suite's own venv. Run from the
repository::

    .venv/bin/python -m benchmarks.bench_scan [--suite NAME ...] [--runs 5] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks.groundtruth import (
    DEFAULT_TIMEOUT,
    dump_path_for,
    file_count,
    find_auditor,
    load_json,
)
from benchmarks.suites import (
    DEFAULT_CACHE_DIR,
    SUITES,
    Suite,
    auditor_in,
    count_test_files,
    fetch,
    pytest_command,
    suite_named,
    venv_for,
)

ACCEPTED_SCAN_CODES = (0, 1)


@dataclass(frozen=True)
class SuiteTimings:
    """Wall times in seconds, one per run, for one suite."""

    suite: str
    test_files: int
    cold: list[float]
    warm: list[float]
    collect: list[float]

    @property
    def cold_median(self) -> float:
        return statistics.median(self.cold)

    @property
    def warm_median(self) -> float:
        return statistics.median(self.warm)

    @property
    def collect_median(self) -> float:
        return statistics.median(self.collect)

    def summary(self) -> dict[str, object]:
        return {
            **asdict(self),
            "cold_median": self.cold_median,
            "warm_median": self.warm_median,
            "collect_median": self.collect_median,
            "cold_over_collect": self.cold_median / self.collect_median,
            "warm_over_cold": self.warm_median / self.cold_median,
        }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", action="append", choices=[s.name for s in SUITES])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per measure")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR)
    parser.add_argument("--auditor", type=Path, default=None, help="test-auditor path")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT)
    parser.add_argument("--json", type=Path, default=None, help="write timings here")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def timed(command: Sequence[str], cwd: Path, timeout: float, accepted: Sequence[int]) -> float:
    """Wall time of one run; raises if the command fails or exits with another code."""
    started = time.perf_counter()
    completed = subprocess.run(
        command,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=timeout,
        check=False,
    )
    seconds = time.perf_counter() - started
    if completed.returncode not in accepted:
        tail = completed.stderr.strip()[-2000:]
        raise RuntimeError(f"exit {completed.returncode}: {' '.join(command)}\n{tail}")
    return seconds


def scan_command(auditor: Path, suite: Suite, root: Path, cache: Path) -> list[str]:
    target = str(root / suite.test_dir)
    return [str(auditor), "scan", target, "--format", "json", "--cache-dir", str(cache)]


def time_cold(auditor: Path, suite: Suite, root: Path, args: argparse.Namespace) -> list[float]:
    times = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="ta-cold-") as cache:
            command = scan_command(auditor, suite, root, Path(cache))
            times.append(timed(command, root, args.timeout, ACCEPTED_SCAN_CODES))
    return times


def time_warm(auditor: Path, suite: Suite, root: Path, args: argparse.Namespace) -> list[float]:
    with tempfile.TemporaryDirectory(prefix="ta-warm-") as cache:
        command = scan_command(auditor, suite, root, Path(cache))
        timed(command, root, args.timeout, ACCEPTED_SCAN_CODES)
        return [timed(command, root, args.timeout, ACCEPTED_SCAN_CODES) for _ in range(args.runs)]


def time_collect(suite: Suite, root: Path, args: argparse.Namespace) -> list[float]:
    venv = venv_for(suite, args.cache_dir)
    command = pytest_command(suite, venv)
    return [timed(command, root, args.timeout, (0,)) for _ in range(args.runs)]


def collected_file_count(suite: Suite, root: Path, cache_dir: Path) -> int:
    """Files pytest collected items from (from the cached ground-truth dump if any)."""
    dump = dump_path_for(suite, cache_dir)
    return file_count(load_json(dump)) if dump.exists() else count_test_files(root, suite)


def bench_suite(suite: Suite, auditor: Path, args: argparse.Namespace) -> SuiteTimings:
    root = fetch(suite, args.cache_dir)
    return SuiteTimings(
        suite=suite.name,
        test_files=collected_file_count(suite, root, args.cache_dir),
        cold=time_cold(auditor, suite, root, args),
        warm=time_warm(auditor, suite, root, args),
        collect=time_collect(suite, root, args),
    )


def format_table(results: Sequence[SuiteTimings]) -> str:
    header = ["suite", "files", "cold s", "warm s", "collect s", "cold/collect", "warm/cold"]
    rows = [header]
    for r in results:
        rows.append(
            [
                r.suite,
                str(r.test_files),
                f"{r.cold_median:.2f}",
                f"{r.warm_median:.2f}",
                f"{r.collect_median:.2f}",
                f"{r.cold_median / r.collect_median:.2f}",
                f"{r.warm_median / r.cold_median:.2f}",
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    explicit = find_auditor(args.auditor)
    suites = [suite_named(name) for name in args.suite] if args.suite else list(SUITES)
    results = []
    for suite in suites:
        print(f"[{suite.name}] timing {args.runs} runs each ...", flush=True)
        auditor = explicit or auditor_in(venv_for(suite, args.cache_dir))
        results.append(bench_suite(suite, auditor, args))
    print(format_table(results))
    if args.json is not None:
        payload = {"runs": args.runs, "suites": [r.summary() for r in results]}
        args.json.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
