"""The `Report`: plain data that every renderer reads and nothing writes back to."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from auditor.analysis.clone_groups import DuplicateGroup
from auditor.analysis.confirm import Confirmed, Verdict
from auditor.analysis.graph import Chain, FixtureGraph
from auditor.analysis.resolution import Resolution
from auditor.analysis.tier_model import Tiers
from auditor.model.environment import SuiteEnvironment
from auditor.model.suite import Origin, Suite, TestItem
from auditor.types import Finding


@dataclass(frozen=True, slots=True)
class TestRow:
    nodeid: str
    path: str
    line: int
    tier: str
    fixtures: tuple[str, ...]
    evidence: tuple[str, ...]
    dynamic_fixtures: tuple[str, ...]
    direct_params: tuple[str, ...]
    run: Verdict | None = None
    """With `scan --run`: the static tier, what the run saw, where they disagree."""
    items: int = 1
    """The items pytest makes of this test: its literal parametrize cases times the params
    of the parametrized fixtures it gets."""
    items_exact: bool = True
    """False when a count is not literal (``params=load()``, ``params=CASES``): ``items`` is
    then a lower bound, "about"."""


@dataclass(frozen=True, slots=True)
class FixtureRow:
    name: str
    path: str
    line: int
    scope: str
    autouse: bool
    requires: tuple[str, ...]
    used_by: int
    origin: str
    node: str
    fan_in: int


@dataclass(frozen=True, slots=True)
class HotSpot:
    name: str
    path: str
    line: int
    scope: str
    used_by: int


@dataclass(frozen=True, slots=True)
class AutouseReach:
    name: str
    path: str
    line: int
    scope: str
    tests: int
    share: float


@dataclass(frozen=True, slots=True)
class Pyramid:
    """Tests per tier: overall, per folder, and the files that mix tiers."""

    tiers: tuple[str, ...]
    counts: dict[str, int]
    folders: dict[str, dict[str, int]]
    mixed_files: dict[str, dict[str, int]]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def share(self, tier: str) -> float:
        return self.counts.get(tier, 0) / self.total if self.total else 0.0


@dataclass(frozen=True, slots=True)
class Report:
    rootdir: str
    files: int
    conftests: int
    tests: tuple[TestRow, ...]
    fixtures: tuple[FixtureRow, ...]
    findings: tuple[Finding, ...]
    most_used: tuple[HotSpot, ...]
    longest_chains: tuple[Chain, ...]
    autouse_reach: tuple[AutouseReach, ...]
    plugins: tuple[str, ...]
    pyramid: Pyramid
    duplicates: tuple[DuplicateGroup, ...] = ()
    run: Confirmed | None = None
    """With `scan --run`: the run's verdicts and profile (`tiers` are then the corrected
    ones)."""
    deselected: tuple[Deselected, ...] = ()
    """Tests the suite's `addopts` deselect (`-m`, `-k`, `--deselect`): not in `tests`."""
    environment: SuiteEnvironment | None = None
    """Whose pytest and plugins the model read."""
    notes: tuple[str, ...] = ()
    """What the model could not apply (an `addopts` expression pytest would refuse), and
    the plugins not installed in the environment read whose fixtures tests request."""


@dataclass(frozen=True, slots=True)
class Deselected:
    nodeid: str
    path: str
    line: int
    by: str
    """The option that deselects it, as written (``-m 'not slow'``)."""


def deselected_text(report: Report) -> str | None:
    """``427 tests deselected by addopts -m 'not property'`` (None when none are)."""
    if not report.deselected:
        return None
    options = ", ".join(dict.fromkeys(d.by for d in report.deselected))
    count = len(report.deselected)
    return f"{count} test{'s' if count != 1 else ''} deselected by addopts {options}"


def item_count(test: TestItem, resolution: Resolution) -> tuple[int, bool]:
    """How many items pytest collects for ``test`` (and whether that is exact): its
    parametrize cases times the params of every parametrized fixture of its closure."""
    exact = test.cases is not None
    count = max(test.cases or 1, 1)
    for key in resolution.tests[test.nodeid].definitions:
        definition = resolution.definitions.get(key)
        if definition is None or not definition.has_params or definition.origin is Origin.PARAM:
            continue
        if definition.name in test.direct_params or definition.name in test.indirect_params:
            continue  # the test's own parametrize gives the values
        if definition.params_count is None:
            exact = False
            continue
        count *= max(definition.params_count, 1)
    return count, exact


def items_text(report: Report) -> str:
    """``452 items`` (``about 452 items`` when a count is not literal)."""
    total = sum(test.items for test in report.tests)
    about = "" if all(test.items_exact for test in report.tests) else "about "
    return f"{about}{total} item{'s' if total != 1 else ''}"


def build_report(
    suite: Suite,
    resolution: Resolution,
    graph: FixtureGraph,
    findings: Sequence[Finding],
    tiers: Tiers,
    duplicates: Sequence[DuplicateGroup] = (),
    run: Confirmed | None = None,
) -> Report:
    """The report; with ``run``, its corrected tiers stand in for ``tiers``."""
    if run is not None:
        tiers = run.tiers
    selected = suite.selected
    tiers = Tiers(tiers.names, {t.nodeid: tiers.tests[t.nodeid] for t in selected})
    tests = tuple(
        TestRow(
            nodeid=test.nodeid,
            path=test.path,
            line=test.line,
            tier=tiers.tests[test.nodeid].tier,
            fixtures=resolution.tests[test.nodeid].names,
            evidence=(
                *(str(e) for e in tiers.tests[test.nodeid].evidence),
                *tiers.tests[test.nodeid].mocked,
            ),
            dynamic_fixtures=resolution.tests[test.nodeid].dynamic,
            direct_params=test.direct_params,
            run=run.verdicts.get(test.nodeid) if run is not None else None,
            items=counted[0],
            items_exact=counted[1],
        )
        for test in selected
        for counted in [item_count(test, resolution)]
    )
    local = [d for d in suite.fixtures if d.origin.value in ("conftest", "module", "class")]
    fixtures = tuple(
        FixtureRow(
            name=d.name,
            path=d.path,
            line=d.line,
            scope=d.scope.value,
            autouse=d.autouse,
            requires=d.argnames,
            used_by=graph.used_by(d.key),
            origin=d.origin.value,
            node=d.node,
            fan_in=graph.fan_in(d.key),
        )
        for d in local
    )
    ranked = sorted(
        (d for d in suite.fixtures if graph.used_by(d.key)),
        key=lambda d: (-graph.used_by(d.key), d.name),
    )
    most_used = tuple(
        HotSpot(d.name, d.path, d.line, d.scope.value, graph.used_by(d.key)) for d in ranked[:10]
    )
    total = max(len(selected), 1)
    reach = sorted(
        (
            AutouseReach(
                d.name,
                d.path,
                d.line,
                d.scope.value,
                graph.used_by(d.key),
                graph.used_by(d.key) / total,
            )
            for d in local
            if d.autouse
        ),
        key=lambda a: (-a.tests, a.name),
    )
    return Report(
        rootdir=suite.rootdir,
        files=len(suite.test_files),
        conftests=len(suite.conftests),
        tests=tests,
        fixtures=fixtures,
        findings=tuple(findings),
        most_used=most_used,
        longest_chains=tuple(graph.longest_chains()),
        autouse_reach=tuple(reach),
        plugins=suite.plugins,
        pyramid=Pyramid(tiers.names, tiers.counts(), tiers.by_folder(), tiers.mixed_files()),
        duplicates=tuple(duplicates),
        run=run,
        deselected=tuple(
            Deselected(t.nodeid, t.path, t.line, t.deselected)
            for t in suite.tests
            if t.deselected is not None
        ),
        environment=suite.environment,
        notes=_notes(suite, resolution),
    )


def _notes(suite: Suite, resolution: Resolution) -> tuple[str, ...]:
    """What the model could not apply, and the plugins it could not read."""
    from auditor.analysis.absent_plugins import absent_plugins

    plugins = absent_plugins(suite, resolution.unknown).note()
    return (*suite.selection_problems, *([plugins] if plugins else []))
