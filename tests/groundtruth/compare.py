"""Compare pytest's ground-truth dump with test-auditor's ``scan --format json`` report.

Both are plain dicts loaded from JSON: the dump written by the ``pytest_groundtruth``
plugin and the JSON report of the contract in ARCHITECTURE.md. Node ids are compared
without parametrize brackets; fixture closures as sets (pytest side: the union over
the parametrized items of one base id). Items of nodes that pytest could not collect
are left out on both sides, and counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

PYTHON_ITEM_KINDS = frozenset(
    {
        "Function",
        "TestCaseFunction",
        # pytest-asyncio (0.24 and later): its items for `async def` tests are Functions
        "Coroutine",
        "AsyncGenerator",
        "AsyncStaticMethod",
        "AsyncHypothesisTest",
    }
)


@dataclass(frozen=True)
class FixtureDisagreement:
    """One test whose fixture closure differs: names only pytest or only scan has."""

    nodeid: str
    missing: tuple[str, ...]
    extra: tuple[str, ...]


@dataclass(frozen=True)
class Comparison:
    """The outcome of comparing pytest's view of a suite with the static model."""

    pytest_items: int
    pytest_ids: int
    static_ids: int
    common_ids: int
    jaccard: float
    only_pytest: tuple[str, ...]
    only_static: tuple[str, ...]
    closure_agreement: float
    disagreements: tuple[FixtureDisagreement, ...]
    collect_errors: int
    excluded_pytest_items: int
    excluded_static_tests: int
    other_kind_items: int
    inconsistent_params: tuple[str, ...]
    plugin_removed: int
    plugin_added: int


@dataclass(frozen=True)
class PytestSide:
    """pytest's items reduced to base ids, with their fixture closures."""

    items: int
    closures: dict[str, frozenset[str]]
    excluded: int
    other_kind: int
    inconsistent: tuple[str, ...]


def compare(
    dump: Mapping[str, Any],
    report: Mapping[str, Any],
    *,
    include_deselected: bool = True,
    include_removed: bool = False,
) -> Comparison:
    """Compare a ground-truth dump with a scan report (both loaded from JSON).

    pytest's side is its final item list plus, by default, the items that ``-m``
    or ``-k`` deselected. ``include_removed`` adds the items that plugins dropped
    from the list in ``pytest_collection_modifyitems`` without deselecting them.
    """
    error_ids = [str(error["nodeid"]) for error in dump.get("collect_errors", [])]
    items = dump_items(dump, include_deselected=include_deselected, include_removed=include_removed)
    pytest_side = reduce_pytest_items(items, error_ids)
    prefix = rebase_prefix(dump.get("rootdir"), report.get("rootdir"))
    static, excluded_static = static_closures(report.get("tests", []), prefix, error_ids)
    pytest_ids = set(pytest_side.closures)
    static_ids = set(static)
    common = sorted(pytest_ids & static_ids)
    disagreements = tuple(
        disagreement
        for nodeid in common
        if (disagreement := diff_closures(nodeid, pytest_side.closures[nodeid], static[nodeid]))
        is not None
    )
    return Comparison(
        pytest_items=pytest_side.items,
        pytest_ids=len(pytest_ids),
        static_ids=len(static_ids),
        common_ids=len(common),
        jaccard=ratio(len(common), len(pytest_ids | static_ids)),
        only_pytest=tuple(sorted(pytest_ids - static_ids)),
        only_static=tuple(sorted(static_ids - pytest_ids)),
        closure_agreement=ratio(len(common) - len(disagreements), len(common)),
        disagreements=disagreements,
        collect_errors=len(error_ids),
        excluded_pytest_items=pytest_side.excluded,
        excluded_static_tests=excluded_static,
        other_kind_items=pytest_side.other_kind,
        inconsistent_params=pytest_side.inconsistent,
        plugin_removed=len(dump.get("removed", [])),
        plugin_added=len(dump.get("added", [])),
    )


def ratio(part: int, whole: int) -> float:
    """part / whole, and 1.0 for an empty whole (nothing to disagree on)."""
    return part / whole if whole else 1.0


def dump_items(
    dump: Mapping[str, Any], *, include_deselected: bool, include_removed: bool
) -> list[Mapping[str, Any]]:
    items = list(dump.get("items", []))
    if include_deselected:
        items.extend(dump.get("deselected", []))
    if include_removed:
        items.extend(dump.get("removed", []))
    return items


def is_under(nodeid: str, error_ids: Iterable[str]) -> bool:
    """Whether a node id is, or lies inside, one of the nodes that failed to collect."""
    for error_id in error_ids:
        if not error_id or nodeid == error_id:
            return True
        if nodeid.startswith((f"{error_id}::", f"{error_id}/")):
            return True
    return False


def reduce_pytest_items(items: Iterable[Mapping[str, Any]], error_ids: list[str]) -> PytestSide:
    closures: dict[str, set[str]] = {}
    variants: dict[str, set[frozenset[str]]] = {}
    counted = excluded = other_kind = 0
    for item in items:
        nodeid = str(item["nodeid"])
        if is_under(nodeid, error_ids):
            excluded += 1
            continue
        if item.get("kind", "Function") not in PYTHON_ITEM_KINDS:
            other_kind += 1
            continue
        counted += 1
        base = str(item.get("base", nodeid))
        fixtures = frozenset(str(name) for name in item.get("fixtures", []))
        closures.setdefault(base, set()).update(fixtures)
        variants.setdefault(base, set()).add(fixtures)
    inconsistent = tuple(sorted(base for base, seen in variants.items() if len(seen) > 1))
    return PytestSide(
        items=counted,
        closures={base: frozenset(names) for base, names in closures.items()},
        excluded=excluded,
        other_kind=other_kind,
        inconsistent=inconsistent,
    )


def rebase_prefix(dump_root: object, report_root: object) -> str:
    """Prefix that turns report node ids into dump node ids when the rootdirs differ."""
    if not isinstance(dump_root, str) or not isinstance(report_root, str):
        return ""
    dump_path, report_path = PurePosixPath(dump_root), PurePosixPath(report_root)
    if dump_path == report_path or not report_path.is_absolute():
        return ""
    try:
        relative = report_path.relative_to(dump_path)
    except ValueError:
        return ""
    return f"{relative.as_posix()}/"


def static_closures(
    tests: Iterable[Mapping[str, Any]], prefix: str, error_ids: list[str]
) -> tuple[dict[str, frozenset[str]], int]:
    closures: dict[str, set[str]] = {}
    excluded = 0
    for test in tests:
        nodeid = prefix + str(test["nodeid"])
        if is_under(nodeid, error_ids):
            excluded += 1
            continue
        closures.setdefault(nodeid, set()).update(str(n) for n in test.get("fixtures", []))
    return {nodeid: frozenset(names) for nodeid, names in closures.items()}, excluded


def diff_closures(
    nodeid: str, pytest_names: frozenset[str], static_names: frozenset[str]
) -> FixtureDisagreement | None:
    if pytest_names == static_names:
        return None
    return FixtureDisagreement(
        nodeid=nodeid,
        missing=tuple(sorted(pytest_names - static_names)),
        extra=tuple(sorted(static_names - pytest_names)),
    )


def name_counts(
    disagreements: Iterable[FixtureDisagreement], *, missing: bool
) -> list[tuple[str, int]]:
    """How often each fixture name is missing from (or extra in) the static closures."""
    counter: Counter[str] = Counter()
    for disagreement in disagreements:
        counter.update(disagreement.missing if missing else disagreement.extra)
    return counter.most_common()


def format_comparison(comparison: Comparison, *, limit: int = 15) -> str:
    """Human-readable summary of a comparison, listing at most ``limit`` examples."""
    c = comparison
    agreeing = c.common_ids - len(c.disagreements)
    lines = [
        f"pytest items {c.pytest_items}, base ids {c.pytest_ids}; "
        f"static tests {c.static_ids}; common {c.common_ids}",
        f"node id Jaccard {c.jaccard:.4f}; closure agreement "
        f"{c.closure_agreement:.2%} ({agreeing}/{c.common_ids})",
        f"collection errors {c.collect_errors} (excluded: {c.excluded_pytest_items} "
        f"pytest items, {c.excluded_static_tests} static tests); "
        f"non-Python items ignored {c.other_kind_items}; items plugins dropped "
        f"{c.plugin_removed}, made up {c.plugin_added}",
    ]
    lines += listing("only in pytest", c.only_pytest, limit)
    lines += listing("only in scan", c.only_static, limit)
    lines += listing("parametrized items with differing closures", c.inconsistent_params, limit)
    lines += listing(
        "fixture closure disagreements",
        [format_disagreement(d) for d in c.disagreements],
        limit,
    )
    lines += listing("most often missing in scan", counts_text(c, missing=True), limit)
    lines += listing("most often extra in scan", counts_text(c, missing=False), limit)
    return "\n".join(lines)


def counts_text(comparison: Comparison, *, missing: bool) -> list[str]:
    counts = name_counts(comparison.disagreements, missing=missing)
    return [f"{name}: {count}" for name, count in counts]


def format_disagreement(disagreement: FixtureDisagreement) -> str:
    parts = [disagreement.nodeid]
    if disagreement.missing:
        parts.append(f"missing {', '.join(disagreement.missing)}")
    if disagreement.extra:
        parts.append(f"extra {', '.join(disagreement.extra)}")
    return "; ".join(parts)


def listing(title: str, entries: Iterable[str], limit: int) -> list[str]:
    entries = list(entries)
    if not entries:
        return []
    lines = [f"{title} ({len(entries)}):"]
    lines += [f"  {entry}" for entry in entries[:limit]]
    if len(entries) > limit:
        lines.append(f"  ... and {len(entries) - limit} more")
    return lines
