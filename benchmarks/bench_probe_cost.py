"""What the state probes cost: a plain run, the probed default-order run and a whole
`test-auditor leaks`, of suites with no order-dependent pairs (issue 16, acceptance 3).

    .venv/bin/python -m benchmarks.bench_probe_cost [--suite python-dateutil,attrs,more-itertools]
        [--repeats 2] [--only plain,probed,unprobed,leaks] [--json] [--cache-dir DIR]

For each suite (the pinned sdists of :mod:`benchmarks.suites`, each with its own virtualenv
under ``~/.cache/test-auditor-bench``), in one script, one after the other:

1. **plain**: ``python -m pytest -p no:randomly`` with the suite's pytest arguments;
2. **probed**: the default-order run exactly as ``leaks`` starts it (the command of
   :class:`~auditor.dynamic.runner.driver.PytestDriver`: the plugin, ``--ta-probes=all``,
   ``--ta-profile``), the suite's ``python`` given as ``--python``;
3. **unprobed**: the same run with ``--ta-probes=none`` (what the profile and the record
   cost, apart from the probes);
4. **leaks**: ``test-auditor leaks --python PY --seed 1 --format json`` of the same paths
   and pytest arguments (with ``-- ARGS``), from this checkout.

The four alternate within each repeat, so load on a shared machine hits them alike; each
ratio is taken within one repeat (run / the plain run of that repeat), and the medians of
the ratios over the repeats are printed. Every run works in the same copy of the sdist (a
temporary folder, removed at the end). Acceptance: leaks <= 4x plain, probed <= 1.5x plain.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.dynamic.runner.driver import PACKAGE_ROOT, PytestDriver, child_environment
from benchmarks.suites import DEFAULT_CACHE_DIR, Suite, fetch, suite_named, venv_for, venv_python

SUITES = ("python-dateutil", "attrs", "more-itertools")
KINDS = ("plain", "probed", "unprobed", "leaks")
LIMITS = {"probed": 1.5, "leaks": 4.0}
TIMEOUT = 3600.0


@dataclass
class Measured:
    suite: str
    seconds: dict[str, list[float]] = field(default_factory=dict)
    outcomes: dict[str, list[str]] = field(default_factory=dict)
    leaks: list[dict[str, Any]] = field(default_factory=list)

    def ratios(self, kind: str) -> list[float]:
        plain = self.seconds.get("plain", [])
        return [run / base for run, base in zip(self.seconds.get(kind, []), plain, strict=False)]

    def to_json(self) -> dict[str, Any]:
        return {
            "suite": self.suite,
            "seconds": self.seconds,
            "ratios": {kind: self.ratios(kind) for kind in KINDS if kind != "plain"},
            "outcomes": self.outcomes,
            "leaks": self.leaks,
        }


def timed(command: Sequence[str], cwd: Path, env: dict[str, str]) -> tuple[float, str, str]:
    """Wall seconds, the last line of output, and the whole stdout."""
    started = time.perf_counter()
    completed = subprocess.run(
        list(command),
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    seconds = time.perf_counter() - started
    lines = (completed.stdout.strip() or completed.stderr.strip()).splitlines()
    last = lines[-1] if lines else f"exit {completed.returncode}"
    return seconds, f"exit {completed.returncode}: {last[-160:]}", completed.stdout


def pytest_args(suite: Suite) -> list[str]:
    return [*suite.pytest_args, *suite.deselect_args]


def plain_command(suite: Suite, python: Path) -> list[str]:
    return [str(python), "-m", "pytest", "-p", "no:randomly", "-q", *suite.collect_args()]


def probed_command(
    suite: Suite, python: Path, root: Path, record: Path, *, probes: bool
) -> tuple[list[str], dict[str, str]]:
    """The default-order run as ``leaks`` starts it (its driver builds the command)."""
    driver = PytestDriver(root, paths=[suite.test_dir], pytest_args=pytest_args(suite))
    driver.python = str(python)
    command = driver._command(
        None, record, [suite.test_dir], probes=probes, touch=False, profile=True
    )
    environment = child_environment(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(PACKAGE_ROOT), *filter(None, [environment.get("PYTHONPATH")])]
    )
    return command, environment


def leaks_command(suite: Suite, python: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "auditor",
        "leaks",
        suite.test_dir,
        "--python",
        str(python),
        "--seed",
        "1",
        "--format",
        "json",
        "--",
        *pytest_args(suite),
    ]


def leaks_summary(stdout: str) -> dict[str, Any]:
    try:
        report = json.loads(stdout)
    except ValueError:
        return {"error": stdout[-400:]}
    return {
        "test_executions": report.get("test_executions"),
        "victims": [victim.get("nodeid") for victim in report.get("victims", [])],
        "brittle": [entry.get("nodeid") for entry in report.get("brittle", [])],
        "flaky": [entry.get("nodeid") for entry in report.get("flaky", [])],
        "rounds": [
            {"label": r.get("label"), "tests": r.get("tests"), "seconds": r.get("seconds")}
            for r in report.get("rounds", [])
        ],
        "executions_by_phase": report.get("executions_by_phase"),
        "notes": report.get("notes", [])[:10],
    }


def measure(suite: Suite, kinds: Sequence[str], repeats: int, cache_dir: Path) -> Measured:
    source = fetch(suite, cache_dir)
    python = venv_python(venv_for(suite, cache_dir))
    measured = Measured(suite.key)
    with tempfile.TemporaryDirectory(prefix="bench-probe-cost-") as scratch:
        root = Path(scratch) / suite.key
        shutil.copytree(source, root, symlinks=True)
        record = Path(scratch) / "record.jsonl"
        for repeat in range(repeats):
            for kind in kinds:
                env = child_environment(os.environ)
                if kind == "plain":
                    command = plain_command(suite, python)
                elif kind in ("probed", "unprobed"):
                    command, env = probed_command(
                        suite, python, root, record, probes=kind == "probed"
                    )
                else:
                    command = leaks_command(suite, python)
                seconds, outcome, stdout = timed(command, root, env)
                record.unlink(missing_ok=True)
                measured.seconds.setdefault(kind, []).append(seconds)
                measured.outcomes.setdefault(kind, []).append(outcome)
                if kind == "leaks":
                    measured.leaks.append(leaks_summary(stdout))
                print(
                    f"  {suite.key} #{repeat + 1} {kind}: {seconds:.1f} s ({outcome[:90]})",
                    file=sys.stderr,
                    flush=True,
                )
    return measured


def table(results: Sequence[Measured]) -> str:
    lines = [
        "| suite | plain s | probed s (x) | unprobed s (x) | leaks s (x) | executions |",
        "|---|---|---|---|---|---|",
    ]
    for result in results:
        cells = [result.suite]
        for kind in KINDS:
            values = result.seconds.get(kind)
            if not values:
                cells.append("-")
                continue
            cell = f"{statistics.median(values):.1f}"
            if kind != "plain" and result.ratios(kind):
                ratios = result.ratios(kind)
                limit = LIMITS.get(kind)
                mark = "" if limit is None else (" ok" if max(ratios) <= limit else " OVER")
                shown = "/".join(f"{ratio:.2f}" for ratio in ratios)
                cell += f" ({statistics.median(ratios):.2f}x: {shown}{mark})"
            cells.append(cell)
        executions = [entry.get("test_executions") for entry in result.leaks]
        cells.append("/".join(str(value) for value in executions) or "-")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", default=",".join(SUITES), help="comma-separated")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--only", default=",".join(KINDS), help="runs to measure")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR)
    args = parser.parse_args(argv)
    kinds = [kind for kind in KINDS if kind in args.only.split(",")]
    if "plain" not in kinds:
        parser.error("--only must include plain: every ratio is against it")
    results = []
    for name in args.suite.split(","):
        results.append(measure(suite_named(name.strip()), kinds, args.repeats, args.cache_dir))
    if args.json:
        print(json.dumps([result.to_json() for result in results], indent=2))
    else:
        print(table(results))
        for result in results:
            for entry in result.leaks:
                found = entry.get("victims") or entry.get("brittle") or entry.get("flaky")
                if found or entry.get("error"):
                    print(f"{result.suite}: leaks found {json.dumps(entry)[:600]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
