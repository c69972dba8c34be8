"""Time ``test-auditor migrate plan`` against a cold ``scan`` of the same suite (issue 15,
acceptance 3: plan within 1.5x a cold scan), and optionally ``migrate apply``
(collection verification, no ``--run``) on a copy of the suite.

Per pinned suite (``benchmarks/suites.py``; the sdist is downloaded and extracted once
into the bench cache) it runs, ``--runs`` times and interleaved, a cold scan (a fresh,
empty ``--cache-dir``) and a cold plan (its own fresh ``--cache-dir``), with the
test-auditor installed in the suite's own venv, and reports the medians and their ratio.
With ``--apply`` it copies the extracted suite to a temporary folder, plans there and
applies the plan with the suite's interpreter, and reports what the plan did (moves,
splits, marks, hoists, codemods, held back) and the wall times. Run from the repository::

    .venv/bin/python -m benchmarks.bench_migrate [--suite sympy] [--runs 3] [--apply]
        [--json OUT]

Figures (2 shared cores, load average 4-14 from other jobs: ratios within one run only):

- sympy 1.13.3, ``--runs 1``: cold scan 1155.9 s, plan 722.4 s, plan/scan 0.63. The scan is
  inflated by the rule cache's per-file keys (``lint/rule_cache.py``: each file's imports
  followed transitively through the whole of sympy); the plan runs its four rules without
  that cache. The plan's own cuts: no libcst parse to learn that a module has no
  ``pytestmark``; a marker added by parsing the module's head only (604 sympy modules, bytes
  identical to marking the whole module, 7x less time); the model of the planned tree takes
  every summary it can from the suite's model (a marked module's from its head). Plan TOML
  byte-identical before and after (1,115,540 bytes, 597 of 604 operations applied).
  Again after the rule cache's fix (load 5-8): cold scan 277.7 s, plan 364.3 s, 1.31.
  ``--runs 3`` at 1db1a5a (load about 3, two other sessions' scans alongside):
  cold scans 152.0 / 144.0 / 139.1 s, plans 166.8 / 186.1 / 283.1 s; medians 144.0 s and
  186.1 s, plan/scan 1.29.
- sympy 1.13.3 ``--apply`` (collection verification): exit 0, 596 modules marked, 1 marker
  registered, 7 splits held back; plan 267 s, apply 1,302 s. Two earlier applies rolled
  back, each on a real difference between the static model and pytest's collection: tests
  defined under ``if lfortran: ... else:`` (one branch collected) and addopts'
  ``-m 'not slow'`` (which the check's ``-m unit`` replaces).
- ``scratch copy, git init, plan, apply --run`` with the suite's own venv:

  ======================  =====  =====  ======  ======  =====  =======  ======  =======
  suite                   moved  split  marked  hoists  rewr.  held     plan s  apply s
  ======================  =====  =====  ======  ======  =====  =======  ======  =======
  pytest 8.3.3 testing/   0      0      32      0       0      40 [1]   305     1283
  SQLAlchemy-Utils 0.41.2 87     0      0       2 (6)   5      102 [2]  272     257
  alembic 1.13.3          0      0      2       0       0      4 [3]    20      112
  attrs 26.1.0            20     0      23      0       6      3 [4]    17      95
  ======================  =====  =====  ======  ======  =====  =======  ======  =======

  All applied and verified (exit 0): node ids 1:1, same fixtures, same outcome per test.
  alembic and attrs: ``plan`` afterwards applies nothing; plan cold (``--no-cache``), load
  average 5-8.
  [1] 39 splits (``testing/`` is not under the layout's ``tests/``: no place for the
  parts; classes with tests of two tiers), 1 hoist. [2] 87 marks and the registration (no
  pytest config file: registering would create one), 14 splits (classes of two tiers).
  [3] Moves of ``test_editor.py``, ``test_stubs.py``: ``python_files = "tests/test_*.py"``
  matches no tier folder. ``test_version_table.py``'s move and mark: ``UpdateRevTest``, a
  class SQLAlchemy's plugin collects (a ``TestBase`` subclass, not named ``Test*``). The
  model sees 23 of the 1,971 tests: the plugin's classes fill the other 26 modules, which
  the plan leaves alone (25 named as such; ``test_suite.py`` only star-imports its
  classes). 4 tests (``test_stubs.py``, black output) fail before and after.
  [4] Moves of ``test_dunders.py`` and ``test_make.py`` (their own import name inside
  expected strings) and ``test_slots.py`` (a pickle payload made from ``__module__``):
  marked in place. ``test_pattern_matching.py`` is left alone (a ``collect_ignore`` under a
  Python-version condition), 1 test fails before and after.
  sqlmodel 0.0.22: planned (207 moves, 1 rename, 158 rewrites, 210 marks, 1 split; 3 moves
  held for ``__file__`` uses, 1 hoist; 187 s), not applied: its suite has 16 collection
  errors in the label venv before any change, so ``apply`` refuses (exit 2).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from auditor.migrate.plan_file import read
from benchmarks.suites import (
    DEFAULT_CACHE_DIR,
    Suite,
    auditor_in,
    fetch,
    suite_named,
    venv_for,
    venv_python,
)

TIMEOUT = 3600.0


def timed(command: Sequence[str], cwd: Path, accepted: Sequence[int]) -> float:
    """Wall seconds of ``command``; RuntimeError when it exits with another code."""
    start = time.perf_counter()
    done = subprocess.run(
        list(command), cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )
    elapsed = time.perf_counter() - start
    if done.returncode not in accepted:
        raise RuntimeError(
            f"{' '.join(command)} exited {done.returncode}:\n{done.stdout[-2000:]}"
            f"\n{done.stderr[-4000:]}"
        )
    return elapsed


def scan_command(auditor: Path, suite: Suite, root: Path, cache: Path) -> list[str]:
    return [str(auditor), "scan", str(root / suite.test_dir), "--format", "json",
            "--cache-dir", str(cache)]  # fmt: skip


def plan_command(auditor: Path, suite: Suite, root: Path, cache: Path, out: Path) -> list[str]:
    return [str(auditor), "migrate", "plan", str(root / suite.test_dir), "--cache-dir",
            str(cache), "--output", str(out)]  # fmt: skip


def time_plan_and_scan(auditor: Path, suite: Suite, root: Path, runs: int) -> dict[str, object]:
    """Cold scan and cold plan, interleaved, ``runs`` times each."""
    scans: list[float] = []
    plans: list[float] = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="ta-cold-") as folder:
            cache = Path(folder) / "cache"
            scans.append(timed(scan_command(auditor, suite, root, cache), root, (0, 1)))
        with tempfile.TemporaryDirectory(prefix="ta-plan-") as folder:
            cache, out = Path(folder) / "cache", Path(folder) / "plan.toml"
            plans.append(timed(plan_command(auditor, suite, root, cache, out), root, (0,)))
    scan, plan = statistics.median(scans), statistics.median(plans)
    return {
        "suite": suite.key,
        "cold_scan_s": scans,
        "plan_s": plans,
        "cold_scan_median_s": round(scan, 2),
        "plan_median_s": round(plan, 2),
        "plan_over_cold_scan": round(plan / scan, 3),
    }


def plan_and_apply(auditor: Path, suite: Suite, root: Path, python: Path) -> dict[str, object]:
    """Plan and apply (collection verification) on a copy of the suite."""
    with tempfile.TemporaryDirectory(prefix="ta-migrate-") as folder:
        copy = Path(folder) / root.name
        shutil.copytree(root, copy, symlinks=True)
        cache, out = Path(folder) / "cache", Path(folder) / "plan.toml"
        plan_s = timed(plan_command(auditor, suite, copy, cache, out), copy, (0,))
        plan = read(out)
        applied = Counter(op.kind for op in plan.applied)
        held = Counter(op.kind for op in plan.operations if not op.apply)
        start = time.perf_counter()
        done = subprocess.run(
            [str(auditor), "migrate", "apply", str(out), "--python", str(python)],
            cwd=copy,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
        apply_s = time.perf_counter() - start
        return {
            "suite": suite.key,
            "plan_s": round(plan_s, 2),
            "apply_s": round(apply_s, 2),
            "apply_exit": done.returncode,
            "apply_output": done.stdout[-3000:],
            "apply_errors": done.stderr[-3000:],
            "applied": dict(applied),
            "held_back": dict(held),
            "copies_hoisted": sum(len(op.copies) for op in plan.applied if op.kind == "hoist"),
        }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--suite", default="sympy")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--apply", action="store_true", help="also plan and apply on a copy")
    parser.add_argument("--no-timing", action="store_true", help="skip the plan/scan timing")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR)
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args(argv)
    suite = suite_named(args.suite)
    root = fetch(suite, args.cache_dir)
    venv = venv_for(suite, args.cache_dir)
    auditor = auditor_in(venv)
    figures: dict[str, object] = {}
    if not args.no_timing:
        figures["timing"] = time_plan_and_scan(auditor, suite, root, args.runs)
        print(json.dumps(figures["timing"], indent=2), flush=True)
    if args.apply:
        figures["apply"] = plan_and_apply(auditor, suite, root, venv_python(venv))
        print(json.dumps(figures["apply"], indent=2), flush=True)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
