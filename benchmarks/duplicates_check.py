"""Clone groups on the labelled sample (tests/samples/tiers, DUPLICATES.toml) compared
with what `find_duplicates` reports, and groups on the real suites to check by hand.

    .venv/bin/python -m benchmarks.duplicates_check                  # the labelled sample
    .venv/bin/python -m benchmarks.duplicates_check --suite sympy --show 5

Nothing is imported or executed.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from auditor.analysis.clone_groups import DuplicateGroup
from auditor.analysis.duplicates import find_duplicates
from auditor.model.build import BuildOptions
from auditor.pipeline import analyse_path
from benchmarks.suites import DEFAULT_CACHE_DIR, SUITES, fetch, suite_named

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

LABELLED = Path(__file__).resolve().parent.parent / "tests" / "samples" / "tiers"
SAMPLE_SEED = 20261122
KINDS = {"1": "exact", "2": "renamed", "3": "near", "parametrize": "parametrize"}
"""DUPLICATES.toml's types -> `DuplicateGroup.clone`."""


@dataclass(frozen=True)
class Expected:
    type: str
    kind: str
    members: frozenset[str]
    note: str


def expected_groups(root: Path = LABELLED) -> list[Expected]:
    data = tomllib.loads((root / "DUPLICATES.toml").read_text(encoding="utf-8"))
    return [
        Expected(g["type"], g["kind"], frozenset(g["members"]), g.get("note", ""))
        for g in data["group"]
    ]


def member_ids(group: DuplicateGroup) -> frozenset[str]:
    """A group's members as DUPLICATES.toml names them: node ids of tests (the def's
    own, without parameters), ``path::name`` of fixtures, paths of files."""
    if group.kind == "file":
        return frozenset(m.path for m in group.members)
    return frozenset(
        m.nodeid.split("[", 1)[0] if m.nodeid else f"{m.path}::{m.name}" for m in group.members
    )


def groups_of(
    root: Path, target: Path | None = None, cache: bool = False
) -> tuple[DuplicateGroup, ...]:
    target = target or root
    options = BuildOptions(cache_dir=DEFAULT_CACHE_DIR / "census-cache", use_cache=cache)
    return find_duplicates(analyse_path(target, invocation_dir=root, build=options).suite)


@dataclass(frozen=True)
class Comparison:
    found: list[tuple[Expected, DuplicateGroup]]
    """Expected groups reported exactly, with the same clone level."""
    wrong: list[tuple[Expected, DuplicateGroup | None]]
    """Expected groups missed, split, merged or reported at another level (with the
    reported group holding most of their members, if any)."""
    extra: list[DuplicateGroup]
    """Test and fixture groups not in DUPLICATES.toml."""


def compare(expected: list[Expected], groups: Sequence[DuplicateGroup]) -> Comparison:
    reported = {(g.kind, member_ids(g)): g for g in groups if g.kind != "file"}
    found: list[tuple[Expected, DuplicateGroup]] = []
    wrong: list[tuple[Expected, DuplicateGroup | None]] = []
    for want in expected:
        group = reported.pop((want.kind, want.members), None)
        if group is not None and group.clone == KINDS[want.type]:
            found.append((want, group))
            continue
        if group is None:
            overlapping = [
                g for g in groups if g.kind == want.kind and member_ids(g) & want.members
            ]
            group = max(overlapping, key=lambda g: len(member_ids(g) & want.members), default=None)
        wrong.append((want, group))
    matched = {id(g) for _, g in found} | {id(g) for _, g in wrong if g is not None}
    extra = [g for g in reported.values() if id(g) not in matched]
    return Comparison(found, wrong, extra)


def describe(group: DuplicateGroup) -> str:
    members = ", ".join(f"{m.path}:{m.line} {m.name}" for m in group.members)
    return f"{group.kind}/{group.clone} ({group.similarity}): {members}"


def sample_report() -> int:
    expected = expected_groups()
    groups = groups_of(LABELLED)
    result = compare(expected, groups)
    per_type = Counter(e.type for e in expected)
    hit = Counter(e.type for e, _ in result.found)
    print(
        "labelled sample: "
        + ", ".join(f"type {t}: {hit[t]}/{n}" for t, n in sorted(per_type.items()))
    )
    for want, group in result.wrong:
        print(f"  MISSED type {want.type} {want.kind}: {sorted(want.members)}")
        print(f"      closest: {describe(group) if group else 'nothing'}")
    print(f"extra groups: {len(result.extra)}")
    for group in result.extra:
        print(f"  EXTRA {describe(group)}")
    files = [g for g in groups if g.kind == "file"]
    for group in files:
        print(f"  FILE {describe(group)}: {group.suggestion}")
    return 0 if not result.wrong else 1


def suite_report(names: Sequence[str], show: int) -> None:
    rng = random.Random(SAMPLE_SEED)
    for name in names:
        spec = suite_named(name)
        root = fetch(spec)
        groups = groups_of(root, root / spec.test_dir, cache=True)
        counts = Counter(f"{g.kind}/{g.clone}" for g in groups)
        print(f"[{name}] {len(groups)} groups: {dict(sorted(counts.items()))}")
        by_clone: dict[str, list[DuplicateGroup]] = {}
        for group in groups:
            by_clone.setdefault(f"{group.kind}/{group.clone}", []).append(group)
        for _, members in sorted(by_clone.items()):
            for group in rng.sample(members, min(show, len(members))):
                print(f"  {describe(group)}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", action="append", choices=[s.name for s in SUITES])
    parser.add_argument("--show", type=int, default=3, help="groups per kind to print")
    args = parser.parse_args(argv)
    status = sample_report()
    if args.suite:
        suite_report(args.suite, args.show)
    return status


if __name__ == "__main__":
    sys.exit(main())
