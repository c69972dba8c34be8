"""The ``split`` operation of a module whose tests span tiers: its parts (one per tier,
at the layout's place of that tier), every test's new node id, and the hazards that make
it unsafe (:func:`auditor.migrate.split.split_hazards`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import PurePosixPath

from auditor.migrate.edits import has_module_marker
from auditor.migrate.layout import target_of
from auditor.migrate.plan_file import Operation
from auditor.migrate.split import split_hazards, top_name
from auditor.model.suite import FixtureDef, TestItem
from auditor.pipeline import Analysis


def split_operation(
    analysis: Analysis, path: str, tests: Sequence[TestItem], evidence: tuple[str, ...], n: int
) -> Operation:
    """A module whose tests span tiers, as one part per tier (:mod:`auditor.migrate.split`)."""
    config = analysis.config
    settings, names = config.auditor.migrate, analysis.tiers.names
    tier_of = {
        t.nodeid: analysis.tiers.tests[t.nodeid].tier
        for t in tests
        if t.nodeid in analysis.tiers.tests
    }
    counts = Counter(tier_of.values())
    by_name: dict[str, set[str]] = {}
    fixtures: dict[str, list[FixtureDef]] = {}
    resolution = analysis.resolution
    for test in tests:
        if test.nodeid not in tier_of:
            continue
        top = top_name(test.nodeid)
        by_name.setdefault(top, set()).add(tier_of[test.nodeid])
        resolved = resolution.tests.get(test.nodeid)
        for key in resolved.definitions if resolved else ():
            if key in resolution.definitions:
                fixtures.setdefault(top, []).append(resolution.definitions[key])
    parts = tuple((tier, target_of(path, tier, settings, names) or "") for tier in sorted(counts))
    target = dict(parts)
    main = next((t for _, t in parts if t == path), "") or target[counts.most_common(1)[0][0]]
    if not (config.rootdir / PurePosixPath(path).parent / "__init__.py").is_file():
        # rootdir/basename import names: two parts named alike would clash
        parts = tuple(
            (tier, t if t == main or not t else t.removesuffix(".py") + f"_{tier}.py")
            for tier, t in parts
        )
        target = dict(parts)
    op = Operation(
        id=f"split-{n:03d}",
        kind="split",
        path=path,
        target=main,
        evidence=evidence,
        tiers=tuple(sorted(counts.items())),
        parts=parts,
        markers=tuple(settings.marker(tier) for tier, _ in parts),
        tests=tuple(t.nodeid for t in tests),
        nodeids=tuple(
            (
                t.nodeid,
                target.get(tier_of.get(t.nodeid, ""), path) + "::" + t.nodeid.partition("::")[2],
            )
            for t in tests
        ),
    )
    hazards = [f"tests without a tier: {t.nodeid}" for t in tests if t.nodeid not in tier_of]
    if any(not t for _, t in parts):
        hazards.append(f"{path} is not below the layout's base: no place for its parts")
    data = (config.rootdir / path).read_bytes()
    for marker in op.markers:
        if has_module_marker(data, marker):
            hazards.append(f"the module's `pytestmark` names `{marker}`: every part would carry it")
    source = data.decode("utf-8", errors="replace")
    hazards += split_hazards(source, path, by_name, fixtures)
    return op.held(*hazards) if hazards else op
