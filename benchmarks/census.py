"""Census of findings per rule on the pinned real suites, and a reproducible sample of
findings (with the flagged line) to check by hand.

    .venv/bin/python -m benchmarks.census [--suite NAME ...] [--sample 40] [--json OUT]

Runs the whole rule catalog in-process over each suite's test folder (nothing is
imported or executed), reports crashes (rule errors) and counts per rule.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from auditor.lint.registry import all_rules
from auditor.model.build import BuildOptions
from auditor.pipeline import analyse_path
from auditor.types import Finding
from benchmarks.suites import DEFAULT_CACHE_DIR, SUITES, fetch, suite_named

SAMPLE_SEED = 20261121


def census(root: Path, target: Path) -> tuple[list[Finding], list[str], float]:
    started = time.perf_counter()
    options = BuildOptions(cache_dir=DEFAULT_CACHE_DIR / "census-cache")
    result = analyse_path(target, invocation_dir=root, build=options).lint(all_rules())
    errors = [f"{e.rule} {e.path}: {e.message}" for e in result.errors]
    return list(result.findings), errors, time.perf_counter() - started


def line_of(root: Path, finding: Finding) -> str:
    try:
        lines = (root / finding.path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return lines[finding.line - 1].strip() if 0 < finding.line <= len(lines) else ""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", action="append", choices=[s.name for s in SUITES])
    parser.add_argument("--sample", type=int, default=40, help="findings to print for review")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    suites = [suite_named(n) for n in args.suite] if args.suite else list(SUITES)
    per_suite: dict[str, dict[str, int]] = {}
    everything: list[tuple[str, Path, Finding]] = []
    crashes: dict[str, list[str]] = {}
    for suite in suites:
        root = fetch(suite)
        findings, errors, seconds = census(root, root / suite.test_dir)
        per_suite[suite.name] = dict(sorted(Counter(f.rule for f in findings).items()))
        crashes[suite.name] = errors
        everything.extend((suite.name, root, f) for f in findings)
        print(
            f"[{suite.name}] {len(findings)} findings, {len(errors)} rule errors, {seconds:.1f} s"
        )
        for error in errors[:5]:
            print(f"    ERROR {error}")
    codes = sorted({code for counts in per_suite.values() for code in counts})
    print("rule    " + " ".join(f"{name[:9]:>9}" for name in per_suite))
    for code in codes:
        print(f"{code}   " + " ".join(f"{per_suite[n].get(code, 0):>9}" for n in per_suite))
    rng = random.Random(SAMPLE_SEED)
    by_rule: dict[str, list[tuple[str, Path, Finding]]] = {}
    for item in everything:
        by_rule.setdefault(item[2].rule, []).append(item)
    sample: list[tuple[str, Path, Finding]] = []
    while len(sample) < args.sample and any(by_rule.values()):
        for code in sorted(by_rule):  # round robin over rules, random within a rule
            if by_rule[code] and len(sample) < args.sample:
                sample.append(by_rule[code].pop(rng.randrange(len(by_rule[code]))))
    print(f"\nSample of {len(sample)} findings to check by hand:")
    for name, root, finding in sample:
        print(
            f"- [{name}] {finding.path}:{finding.line}:{finding.col + 1} {finding.rule} "
            f"{finding.message}\n    | {line_of(root, finding)}"
        )
    if args.json:
        payload = {"counts": per_suite, "errors": crashes}
        args.json.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    return 1 if any(crashes.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
