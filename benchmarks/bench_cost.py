"""What an analysis adds to a cold `scan`: the CPU time (user + system of the scan's
process and of its parse workers) and the wall time of cold scans of one suite by two
installations of test-auditor (for example the commit before a feature, installed in its
own virtualenv, and this checkout), each run listed, then the medians.

    .venv/bin/python -m benchmarks.bench_cost --base /tmp/base-venv/bin/test-auditor \\
        [--suite sympy] [--runs 3]

Each run gets a fresh, empty cache folder; the runs of the two alternate, so load on a
shared machine hits both alike. On a busy machine compare the CPU times: the wall time
also counts the time the scan waited for a core.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.suites import SUITES, fetch, suite_named

HERE = Path(sys.executable).with_name("test-auditor")


@dataclass(frozen=True)
class Cost:
    """One cold scan: seconds of wall time and of CPU time (the scan and its workers)."""

    wall: float
    cpu: float


def cold_scan(executable: Path, target: Path) -> Cost:
    with tempfile.TemporaryDirectory() as cache:
        command = [str(executable), "scan", str(target), "--cache-dir", cache, "--format", "json"]
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        _, _, usage = os.wait4(process.pid, 0)  # the workers' time is in the scan's children
        return Cost(time.perf_counter() - started, usage.ru_utime + usage.ru_stime)


def median(costs: Sequence[Cost]) -> Cost:
    return Cost(statistics.median(c.wall for c in costs), statistics.median(c.cpu for c in costs))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, required=True, help="the other test-auditor")
    parser.add_argument("--suite", default="sympy", choices=[s.name for s in SUITES])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    suite = suite_named(args.suite)
    target = fetch(suite)
    base: list[Cost] = []
    here: list[Cost] = []
    for run in range(1, args.runs + 1):
        for name, executable, costs in (("base", args.base, base), ("this", HERE, here)):
            cost = cold_scan(executable, target)
            costs.append(cost)
            print(f"run {run} {name}: cpu {cost.cpu:.1f} s, wall {cost.wall:.1f} s", flush=True)
    before, after = median(base), median(here)
    print(
        f"{suite.name}: CPU base {before.cpu:.1f} s, this checkout {after.cpu:.1f} s, "
        f"{after.cpu / before.cpu - 1:+.0%}; wall base {before.wall:.1f} s, "
        f"this checkout {after.wall:.1f} s, {after.wall / before.wall - 1:+.0%} "
        f"(medians of {args.runs})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
