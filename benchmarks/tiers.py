"""Tier shares on the pinned real suites, a reproducible sample of tests to check by
hand, and the accuracy on the project's labelled sample suite.

    .venv/bin/python -m benchmarks.tiers [--suite NAME ...] [--sample 30] [--json OUT]

Nothing is imported or executed; the classification is the one `scan` prints.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from auditor.analysis.tier_model import TestTier, Tiers
from auditor.model.build import BuildOptions
from auditor.pipeline import analyse_path
from benchmarks.suites import DEFAULT_CACHE_DIR, SUITES, fetch, suite_named

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SAMPLE_SEED = 20261121
LABELLED = Path(__file__).resolve().parent.parent / "tests" / "samples" / "tiers"


def tiers_of(root: Path, target: Path, cache: bool = True) -> tuple[Tiers, float]:
    started = time.perf_counter()
    options = BuildOptions(cache_dir=DEFAULT_CACHE_DIR / "census-cache", use_cache=cache)
    tiers = analyse_path(target, invocation_dir=root, build=options).tiers
    return tiers, time.perf_counter() - started


def labelled_accuracy() -> tuple[int, int, list[tuple[str, str, TestTier | None]]]:
    """(right, total, wrong calls as (nodeid, label, call)) on tests/samples/tiers."""
    labels: dict[str, str] = tomllib.loads((LABELLED / "LABELS.toml").read_text())["tiers"]
    tiers, _ = tiers_of(LABELLED, LABELLED, cache=False)
    wrong = [
        (nodeid, label, tiers.tests.get(nodeid))
        for nodeid, label in sorted(labels.items())
        if nodeid not in tiers.tests or tiers.tests[nodeid].tier != label
    ]
    return len(labels) - len(wrong), len(labels), wrong


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", action="append", choices=[s.name for s in SUITES])
    parser.add_argument("--sample", type=int, default=30, help="tests to print for review")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    right, total, wrong = labelled_accuracy()
    print(f"labelled sample: {right}/{total} right ({right / total:.1%})")
    for nodeid, label, call in wrong:
        got = call.tier if call else "missing"
        print(f"  WRONG {nodeid}: labelled {label}, called {got}")
        for evidence in call.evidence[:3] if call else ():
            print(f"      {evidence}")

    suites = [suite_named(n) for n in args.suite] if args.suite else list(SUITES)
    shares: dict[str, dict[str, int]] = {}
    population: list[tuple[str, TestTier]] = []
    for suite in suites:
        root = fetch(suite)
        tiers, seconds = tiers_of(root, root / suite.test_dir)
        shares[suite.name] = tiers.counts()
        population.extend((suite.name, t) for t in tiers.tests.values())
        print(f"[{suite.name}] {len(tiers.tests)} tests in {seconds:.1f} s")
    names = sorted({t for counts in shares.values() for t in counts})
    print("\n| suite | tests | " + " | ".join(names) + " |")
    print("|---|---:|" + "---:|" * len(names))
    for suite_name, counts in shares.items():
        total_tests = sum(counts.values()) or 1
        cells = " | ".join(
            f"{counts.get(n, 0)} ({counts.get(n, 0) / total_tests:.0%})" for n in names
        )
        print(f"| {suite_name} | {sum(counts.values())} | {cells} |")

    rng = random.Random(SAMPLE_SEED)
    by_tier: dict[str, list[tuple[str, TestTier]]] = {}
    for item in population:
        by_tier.setdefault(item[1].tier, []).append(item)
    sample: list[tuple[str, TestTier]] = []
    while len(sample) < args.sample and any(by_tier.values()):
        for tier in sorted(by_tier):  # round robin over tiers, random within one
            if by_tier[tier] and len(sample) < args.sample:
                sample.append(by_tier[tier].pop(rng.randrange(len(by_tier[tier]))))
    print(f"\nSample of {len(sample)} tests to check by hand:")
    for suite_name, test in sample:
        print(f"- [{suite_name}] {test.tier}: {test.nodeid}")
        for evidence in test.evidence[:2]:
            print(f"      {evidence}")
    if args.json:
        payload = {"labelled": {"right": right, "total": total}, "shares": shares}
        args.json.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
