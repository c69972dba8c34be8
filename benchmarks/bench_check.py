"""Time ``test-auditor check``: one changed test file with a warm cache (the pre-commit
case), and the whole suite cold against a cold ``scan`` of the same files.

Warm: the cache is primed with one ``check`` of the whole suite; each run then appends a
comment line to one test file (so it really changed and is parsed again) and checks
that file alone. Cold: a fresh, empty ``--cache-dir`` per run, ``check DIR`` and
``scan DIR`` alternating. The file is restored afterwards.

Python's bytecode cache is on for the timed runs, as in any installed tool (pip writes the
``.pyc`` files at install time; an editable install writes them on first import): an
environment that sets ``PYTHONDONTWRITEBYTECODE`` would otherwise time the compilation
of every module of test-auditor and libcst on every run. The priming run writes them.
Run from the repository::

    .venv/bin/python -m benchmarks.bench_check [--suite sympy] [--file REL] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from benchmarks.bench_scan import timed
from benchmarks.suites import DEFAULT_CACHE_DIR, SUITES, fetch, suite_named

DEFAULT_FILES = {"sympy": "sympy/core/tests/test_basic.py"}
ACCEPTED = (0, 1)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", default="sympy", choices=[s.name for s in SUITES])
    parser.add_argument("--file", help="the test file to change, relative to the sdist")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR)
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--json", type=Path, help="write the timings here")
    parser.add_argument("--skip-cold", action="store_true", help="only the warm one-file check")
    return parser.parse_args(argv)


def auditor_command() -> str:
    return str(Path(sys.executable).parent / "test-auditor")


def allow_bytecode_cache() -> None:
    """Let the timed runs (children of this process) read and write ``.pyc`` files."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


def time_warm_one_file(
    root: Path, target: Path, changed: Path, args: argparse.Namespace
) -> list[float]:
    auditor = auditor_command()
    original = changed.read_bytes()
    times: list[float] = []
    with tempfile.TemporaryDirectory(prefix="ta-check-warm-") as cache:
        timed([auditor, "check", str(target), "--cache-dir", cache], root, args.timeout, ACCEPTED)
        try:
            for run in range(args.runs):
                changed.write_bytes(original + f"\n# bench edit {run}\n".encode())
                command = [auditor, "check", str(changed), "--cache-dir", cache]
                times.append(timed(command, root, args.timeout, ACCEPTED))
        finally:
            changed.write_bytes(original)
    return times


def time_cold(
    root: Path, target: Path, args: argparse.Namespace
) -> tuple[list[float], list[float]]:
    auditor = auditor_command()
    check: list[float] = []
    scan: list[float] = []
    for _ in range(args.runs):
        for command, times in (("check", check), ("scan", scan)):
            with tempfile.TemporaryDirectory(prefix="ta-check-cold-") as cache:
                extra = ["--format", "json"] if command == "scan" else []
                argv = [auditor, command, str(target), *extra, "--cache-dir", cache]
                times.append(timed(argv, root, args.timeout, ACCEPTED))
    return check, scan


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    allow_bytecode_cache()
    suite = suite_named(args.suite)
    root = fetch(suite, args.cache_dir)
    target = root / suite.test_dir
    changed = root / (args.file or DEFAULT_FILES.get(suite.name, ""))
    if not changed.is_file():
        print(f"no file {changed}; pass --file", file=sys.stderr)
        return 2
    warm = time_warm_one_file(root, target, changed, args)
    result: dict[str, object] = {
        "suite": suite.name,
        "file": str(changed.relative_to(root)),
        "runs": args.runs,
        "warm_one_file": warm,
        "warm_one_file_median": statistics.median(warm),
    }
    print(f"[{suite.name}] warm check of one changed file: median {statistics.median(warm):.3f} s")
    if not args.skip_cold:
        check, scan = time_cold(root, target, args)
        ratio = statistics.median(check) / statistics.median(scan)
        result.update(cold_check=check, cold_scan=scan, cold_check_over_scan=ratio)
        print(
            f"[{suite.name}] cold check {statistics.median(check):.1f} s, cold scan "
            f"{statistics.median(scan):.1f} s: {ratio:.2f}x"
        )
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
