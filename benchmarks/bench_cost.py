"""What an analysis adds to a cold `scan`: the median wall time of cold scans of one
suite by two installations of test-auditor (for example the commit before a feature,
installed in its own virtualenv, and this checkout).

    .venv/bin/python -m benchmarks.bench_cost --base /tmp/base-venv/bin/test-auditor \\
        [--suite sympy] [--runs 3]

Each run gets a fresh, empty cache folder; the runs of the two alternate, so load on a
shared machine hits both alike.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.suites import SUITES, fetch, suite_named

HERE = Path(sys.executable).with_name("test-auditor")


def cold_scan(executable: Path, target: Path) -> float:
    with tempfile.TemporaryDirectory() as cache:
        started = time.perf_counter()
        subprocess.run(
            [str(executable), "scan", str(target), "--cache-dir", cache, "--format", "json"],
            stdout=subprocess.DEVNULL,
            check=False,
        )
        return time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, required=True, help="the other test-auditor")
    parser.add_argument("--suite", default="sympy", choices=[s.name for s in SUITES])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    suite = suite_named(args.suite)
    target = fetch(suite)
    base: list[float] = []
    here: list[float] = []
    for _ in range(args.runs):
        base.append(cold_scan(args.base, target))
        here.append(cold_scan(HERE, target))
    before, after = statistics.median(base), statistics.median(here)
    print(
        f"{suite.name}: base {before:.1f} s, this checkout {after:.1f} s, "
        f"{after / before - 1:+.0%} (medians of {args.runs})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
