"""Time ``test-auditor scan`` (cold and warm) against ``pytest --collect-only``.

Per pinned suite (``benchmarks/suites.py``) it takes the median of ``--runs`` wall
times of: a cold scan (a fresh, empty ``--cache-dir`` each run), a warm scan (one
shared ``--cache-dir``, primed once, nothing changed), a warm ``check`` of one test
file, a scan after a touch of one test file and of the root conftest (a later mtime, the
same bytes), a scan after an edit of each (a comment appended, taken out again
afterwards; the warm cache primed again before each run), and
``python -m pytest --collect-only -q`` on the same files in the suite's own venv, back to
back in one run. Run from the repository::

    .venv/bin/python -m benchmarks.bench_scan [--suite NAME ...] [--runs 5] [--json OUT]
        [--version sqlalchemy=2.1.9] [--markdown]

``--markdown`` prints the README's table as well; ``--from-json OUT ...`` prints the tables
of earlier runs (their ``--json`` files) without timing anything again.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
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
    check_one: list[float] = dataclasses.field(default_factory=list)
    touched_test: list[float] = dataclasses.field(default_factory=list)
    touched_conftest: list[float] = dataclasses.field(default_factory=list)
    """`touched_*`: after an edit (the name earlier --json files use)."""
    mtime_test: list[float] = dataclasses.field(default_factory=list)
    mtime_conftest: list[float] = dataclasses.field(default_factory=list)
    """`mtime_*`: after a touch (a later mtime, the same bytes)."""

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
        def median(times: list[float]) -> float | None:
            return statistics.median(times) if times else None

        touched = median(self.touched_test)
        conftest = median(self.touched_conftest)
        mtime_test = median(self.mtime_test)
        mtime_conftest = median(self.mtime_conftest)
        return {
            **asdict(self),
            "cold_median": self.cold_median,
            "warm_median": self.warm_median,
            "collect_median": self.collect_median,
            "check_one_median": median(self.check_one),
            "touched_test_median": touched,
            "touched_conftest_median": conftest,
            "cold_over_collect": self.cold_median / self.collect_median,
            "warm_over_cold": self.warm_median / self.cold_median,
            "touched_test_over_warm": touched / self.warm_median if touched else None,
            "touched_conftest_over_cold": conftest / self.cold_median if conftest else None,
            "mtime_test_over_warm": mtime_test / self.warm_median if mtime_test else None,
            "mtime_conftest_over_cold": (
                mtime_conftest / self.cold_median if mtime_conftest else None
            ),
        }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", action="append", choices=[s.name for s in SUITES])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per measure")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR)
    parser.add_argument("--auditor", type=Path, default=None, help="test-auditor path")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT)
    parser.add_argument("--json", type=Path, default=None, help="write timings here")
    parser.add_argument("--markdown", action="store_true", help="print the README's table")
    parser.add_argument(
        "--from-json",
        type=Path,
        nargs="+",
        default=None,
        metavar="OUT",
        help="print the tables of earlier --json files instead of timing",
    )
    parser.add_argument(
        "--version",
        action="append",
        default=[],
        metavar="NAME=VERSION",
        help="benchmark another version of a pinned suite (sqlalchemy=2.1.9)",
    )
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


def check_command(auditor: Path, root: Path, cache: Path, target: Path) -> list[str]:
    return [str(auditor), "check", str(target), "--cache-dir", str(cache), "--exit-zero"]


def first_test_file(suite: Suite, root: Path) -> Path:
    found = sorted((root / suite.test_dir).rglob("test_*.py"))
    if not found:
        raise RuntimeError(f"no test file under {root / suite.test_dir}")
    return found[0]


def root_conftest(suite: Suite, root: Path) -> Path | None:
    for folder in (root, root / suite.test_dir):
        if (folder / "conftest.py").is_file():
            return folder / "conftest.py"
    found = sorted((root / suite.test_dir).rglob("conftest.py"), key=lambda p: len(p.parts))
    return found[0] if found else None


def time_after_edit(
    auditor: Path, suite: Suite, root: Path, edited: Path, args: argparse.Namespace
) -> list[float]:
    """Scans after a comment is appended to `edited` (warm cache primed before each
    edit); the file is put back as it was at the end."""
    original = edited.read_bytes()
    times = []
    with tempfile.TemporaryDirectory(prefix="ta-edit-") as cache:
        command = scan_command(auditor, suite, root, Path(cache))
        try:
            for run in range(args.runs):
                edited.write_bytes(original)
                timed(command, root, args.timeout, ACCEPTED_SCAN_CODES)
                edited.write_bytes(original + f"\n# edited by bench_scan {run}\n".encode())
                times.append(timed(command, root, args.timeout, ACCEPTED_SCAN_CODES))
        finally:
            edited.write_bytes(original)
    return times


def time_after_touch(
    auditor: Path, suite: Suite, root: Path, touched: Path, args: argparse.Namespace
) -> list[float]:
    """Scans after `touched`'s mtime is moved on (its bytes unchanged; the warm cache
    primed once)."""
    times = []
    with tempfile.TemporaryDirectory(prefix="ta-touch-") as cache:
        command = scan_command(auditor, suite, root, Path(cache))
        timed(command, root, args.timeout, ACCEPTED_SCAN_CODES)
        for _ in range(args.runs):
            stat = touched.stat()
            os.utime(touched, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
            times.append(timed(command, root, args.timeout, ACCEPTED_SCAN_CODES))
    return times


def time_check_one(
    auditor: Path, suite: Suite, root: Path, args: argparse.Namespace
) -> list[float]:
    target = first_test_file(suite, root)
    with tempfile.TemporaryDirectory(prefix="ta-check-") as cache:
        command = check_command(auditor, root, Path(cache), target)
        timed(command, root, args.timeout, (0,))
        return [timed(command, root, args.timeout, (0,)) for _ in range(args.runs)]


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
    conftest = root_conftest(suite, root)
    return SuiteTimings(
        suite=suite.key,
        test_files=collected_file_count(suite, root, args.cache_dir),
        collect=time_collect(suite, root, args),
        cold=time_cold(auditor, suite, root, args),
        warm=time_warm(auditor, suite, root, args),
        check_one=time_check_one(auditor, suite, root, args),
        touched_test=time_after_edit(auditor, suite, root, first_test_file(suite, root), args),
        touched_conftest=(
            time_after_edit(auditor, suite, root, conftest, args) if conftest else []
        ),
        mtime_test=time_after_touch(auditor, suite, root, first_test_file(suite, root), args),
        mtime_conftest=(time_after_touch(auditor, suite, root, conftest, args) if conftest else []),
    )


def format_table(results: Sequence[SuiteTimings]) -> str:
    header = [
        "suite",
        "files",
        "collect s",
        "cold s",
        "warm s",
        "check 1 s",
        "test touch s",
        "conftest touch s",
        "test edit s",
        "conftest edit s",
        "cold/collect",
        "warm/cold",
        "test touch/warm",
        "conftest touch/cold",
        "test edit/warm",
        "conftest edit/cold",
    ]
    rows = [header]

    def seconds(times: list[float]) -> str:
        return f"{statistics.median(times):.2f}" if times else "-"

    def ratio(times: list[float], base: float) -> str:
        return f"{statistics.median(times) / base:.2f}" if times else "-"

    for r in results:
        rows.append(
            [
                r.suite,
                str(r.test_files),
                f"{r.collect_median:.2f}",
                f"{r.cold_median:.2f}",
                f"{r.warm_median:.2f}",
                seconds(r.check_one),
                seconds(r.mtime_test),
                seconds(r.mtime_conftest),
                seconds(r.touched_test),
                seconds(r.touched_conftest),
                f"{r.cold_median / r.collect_median:.2f}",
                f"{r.warm_median / r.cold_median:.2f}",
                ratio(r.mtime_test, r.warm_median),
                ratio(r.mtime_conftest, r.cold_median),
                ratio(r.touched_test, r.warm_median),
                ratio(r.touched_conftest, r.cold_median),
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    )


def markdown_table(results: Sequence[SuiteTimings]) -> str:
    """The README's table: medians in seconds and the ratios the budgets are set on."""
    lines = [
        "| suite (test files) | `pytest --collect-only` | cold scan | warm scan | "
        "one-file `check` | after a test touch | after a root conftest touch | "
        "after a test edit | after a root conftest edit | "
        "cold/collect | warm/cold | test touch/warm | conftest touch/cold | "
        "test edit/warm | conftest edit/cold |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]

    def seconds(times: list[float]) -> str:
        return f"{statistics.median(times):.2f} s" if times else "-"

    def ratio(times: list[float], base: float) -> str:
        return f"{statistics.median(times) / base:.2f}" if times else "-"

    for r in results:
        lines.append(
            f"| {r.suite} ({r.test_files}) | {seconds(r.collect)} | {seconds(r.cold)} | "
            f"{seconds(r.warm)} | {seconds(r.check_one)} | {seconds(r.mtime_test)} | "
            f"{seconds(r.mtime_conftest)} | {seconds(r.touched_test)} | "
            f"{seconds(r.touched_conftest)} | {r.cold_median / r.collect_median:.2f} | "
            f"{r.warm_median / r.cold_median:.2f} | {ratio(r.mtime_test, r.warm_median)} | "
            f"{ratio(r.mtime_conftest, r.cold_median)} | "
            f"{ratio(r.touched_test, r.warm_median)} | "
            f"{ratio(r.touched_conftest, r.cold_median)} |"
        )
    return "\n".join(lines)


def read_timings(paths: Sequence[Path]) -> list[SuiteTimings]:
    """The suites of earlier ``--json`` files."""
    fields = {f.name for f in dataclasses.fields(SuiteTimings)}
    found = []
    for path in paths:
        for suite in json.loads(path.read_text(encoding="utf-8"))["suites"]:
            found.append(SuiteTimings(**{k: v for k, v in suite.items() if k in fields}))
    return found


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.from_json:
        earlier = read_timings(args.from_json)
        print(format_table(earlier))
        print()
        print(markdown_table(earlier))
        return 0
    explicit = find_auditor(args.auditor)
    suites = [suite_named(name) for name in args.suite] if args.suite else list(SUITES)
    versions = dict(item.split("=", 1) for item in args.version)
    suites = [
        dataclasses.replace(s, version=versions[s.name]) if s.name in versions else s
        for s in suites
    ]
    results = []
    for suite in suites:
        print(f"[{suite.name}] timing {args.runs} runs each ...", flush=True)
        auditor = explicit or auditor_in(venv_for(suite, args.cache_dir))
        results.append(bench_suite(suite, auditor, args))
    print(format_table(results))
    if args.markdown:
        print()
        print(markdown_table(results))
    if args.json is not None:
        payload = {"runs": args.runs, "suites": [r.summary() for r in results]}
        args.json.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
