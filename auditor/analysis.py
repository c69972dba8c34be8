"""Findings of the static core: what pytest would trip over, found without running it.

Codes (stable once published): TA100 unreadable-file, TA101 collection-path-problem,
TA201 scope-mismatch, TA202 fixture-cycle, TA203 unknown-fixture, TA204 unused-fixture,
TA205 dynamic-fixtures.
"""

from __future__ import annotations

from auditor.fixtures import Resolution
from auditor.graph import FixtureGraph
from auditor.model import Origin, Suite
from auditor.types import Finding, Severity


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _dynamic_makers_visible(suite: Suite, path: str) -> list[str]:
    """Files making fixtures at run time whose fixtures a test in `path` may see:
    the module itself and the conftests of its folders."""
    makers: list[str] = []
    for maker, _ in suite.dynamic_fixtures:
        folder = maker.rpartition("/")[0]
        is_conftest = maker.rsplit("/", 1)[-1] == "conftest.py"
        if maker == path or (is_conftest and (not folder or path.startswith(folder + "/"))):
            makers.append(maker)
    return sorted(set(makers))


def core_findings(suite: Suite, resolution: Resolution, graph: FixtureGraph) -> list[Finding]:
    findings: list[Finding] = []
    for failure in suite.failures:
        findings.append(
            Finding(
                "TA100",
                "unreadable-file",
                Severity.ERROR,
                failure.path,
                failure.line,
                failure.col,
                f"{failure.message}; pytest cannot collect this file either",
            )
        )
    for problem in suite.problems:
        findings.append(
            Finding(
                "TA101",
                "collection-path-problem",
                Severity.ERROR,
                problem.path,
                1,
                0,
                f"{problem.message}; skipped",
            )
        )
    for mismatch in resolution.mismatches:
        requester, requested = mismatch.requester, mismatch.requested
        how = "fetches" if mismatch.dynamic else "requests"
        what = "parametrize argument" if requested.origin is Origin.PARAM else "fixture"
        outcome = (
            "pytest raises ScopeMismatch"
            if mismatch.certain
            else ("scope decided at run time: pytest may raise ScopeMismatch")
        )
        findings.append(
            Finding(
                "TA201",
                "scope-mismatch",
                Severity.ERROR if mismatch.certain else Severity.WARNING,
                requester.path,
                requester.line,
                0,
                f"{requester.scope.value}-scoped fixture `{requester.name}` {how} "
                f"{requested.scope.value}-scoped {what} `{requested.name}` "
                f"({requested.path}:{requested.line}): {outcome} in "
                f"{_plural(len(mismatch.tests), 'test')}; widen `{requested.name}` or narrow "
                f"`{requester.name}`",
            )
        )
    for cycle in resolution.cycles:
        findings.append(
            Finding(
                "TA202",
                "fixture-cycle",
                Severity.ERROR,
                cycle.path,
                cycle.line,
                0,
                f"fixtures depend on each other in a cycle: {' -> '.join(cycle.names)}; "
                f"{_plural(len(cycle.tests), 'test')} error at setup",
            )
        )
    for unknown in resolution.unknown:
        makers = _dynamic_makers_visible(suite, unknown.path)
        who = f"fixture `{unknown.name}` requested by `{unknown.requester}`"
        if makers:
            severity = Severity.WARNING
            message = (
                f"{who} has no static definition; it may be one of the fixtures "
                f"made at run time in {', '.join(makers)}"
            )
        else:
            severity = Severity.ERROR
            message = (
                f"{who} is not defined where it is visible; pytest errors with "
                f"\"fixture '{unknown.name}' not found\" in "
                f"{_plural(len(unknown.tests), 'test')}"
            )
        findings.append(
            Finding("TA203", "unknown-fixture", severity, unknown.path, unknown.line, 0, message)
        )
    dynamic_note = ""
    if any(t.unknown_requests for t in resolution.tests.values()):
        dynamic_note = " (some fixtures are fetched with computed names; check those first)"
    for definition in graph.unused():
        findings.append(
            Finding(
                "TA204",
                "unused-fixture",
                Severity.WARNING,
                definition.path,
                definition.line,
                0,
                f"fixture `{definition.name}` is never requested by any test or "
                f"fixture here; remove it{dynamic_note}",
            )
        )
    for path, dynamic in suite.dynamic_fixtures:
        findings.append(
            Finding(
                "TA205",
                "dynamic-fixtures",
                Severity.INFO,
                path,
                dynamic.line or 1,
                0,
                f"fixtures created at run time ({dynamic.detail}); pytest sees them, "
                "static analysis cannot: define them with @pytest.fixture",
            )
        )
    return sorted(findings, key=lambda f: (f.path, f.line, f.rule))
