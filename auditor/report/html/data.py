"""The data an HTML report embeds: the scan JSON (`report_dict`, the public contract), the
leaks JSON (`leaks_dict`) and what the page shows beyond them: each finding's code line,
the documentation of the rules found, the duplicate members' code, the exact fixture
graph (definitions and each test's requests and closure, by index) and every percentage
as the terminal prints it, so that one number reads the same in every report."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.report.contents import Report
from auditor.report.json_report import report_dict
from auditor.types import percent

if TYPE_CHECKING:
    from auditor.analysis.graph import FixtureGraph
    from auditor.api import Rule

MAX_CODE_LINES = 60
"""Lines of one duplicate member's code shown; longer defs end with a note."""
MAX_MEMBERS_WITH_CODE = 6
"""Members of one duplicate group whose code is embedded (the rest are listed)."""
MAX_LINE = 400
"""Characters of one finding's code line."""


class SourceCache:
    """Files of the suite read once each, as text lines and as `ast` trees."""

    def __init__(self, rootdir: str) -> None:
        self.rootdir = Path(rootdir)
        self._lines: dict[str, list[str] | None] = {}
        self._trees: dict[str, ast.Module | None] = {}

    def lines(self, path: str) -> list[str] | None:
        if path not in self._lines:
            try:
                text = (self.rootdir / path).read_bytes().decode("utf-8", errors="replace")
            except OSError:
                self._lines[path] = None
            else:
                self._lines[path] = text.splitlines()
        return self._lines[path]

    def line(self, path: str, line: int) -> str:
        lines = self.lines(path)
        if lines is None or not 1 <= line <= len(lines):
            return ""
        text = lines[line - 1].rstrip()
        return text if len(text) <= MAX_LINE else text[:MAX_LINE] + " …"

    def tree(self, path: str) -> ast.Module | None:
        if path not in self._trees:
            lines = self.lines(path)
            try:
                self._trees[path] = None if lines is None else ast.parse("\n".join(lines))
            except (SyntaxError, ValueError):
                self._trees[path] = None
        return self._trees[path]

    def definition(self, path: str, line: int) -> str | None:
        """The code of the def or class at ``line`` (its decorators included), at most
        `MAX_CODE_LINES` lines; None when the file has none there."""
        tree, lines = self.tree(path), self.lines(path)
        if tree is None or lines is None:
            return None
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                continue
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            if line not in (node.lineno, first):
                continue
            last = node.end_lineno or node.lineno
            chosen = lines[first - 1 : min(last, first - 1 + MAX_CODE_LINES)]
            if last - first + 1 > MAX_CODE_LINES:
                chosen.append(f"# … {last - first + 1 - MAX_CODE_LINES} more lines")
            return "\n".join(chosen)
        return None


def scan_page_data(
    report: Report,
    *,
    graph: FixtureGraph | None = None,
    rules: Iterable[type[Rule]] = (),
    leaks: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything the page of `scan --format html` renders."""
    sources = SourceCache(report.rootdir)
    scan = report_dict(report)
    found = {f.rule for f in report.findings}
    extra: dict[str, Any] = {
        "finding_lines": [sources.line(f.path, f.line) for f in report.findings],
        "rules": {
            rule.code: {
                "name": rule.name,
                "category": rule.category,
                "severity": rule.severity.value,
                "summary": rule.summary(),
                "doc": rule.documentation(),
            }
            for rule in rules
            if rule.code in found
        },
        "duplicates": [
            {
                "similarity": percent(group.similarity),
                "code": [
                    sources.definition(m.path, m.line)
                    for m in group.members[:MAX_MEMBERS_WITH_CODE]
                ]
                if group.kind != "file"
                else [],
            }
            for group in report.duplicates
        ],
        "tier_shares": {tier: f"{report.pyramid.share(tier):.0%}" for tier in report.pyramid.tiers},
        "autouse_shares": [percent(a.share) for a in report.autouse_reach],
        "graph": _graph(report, graph) if graph is not None else None,
    }
    return {
        "scan": scan,
        "leaks": dict(leaks) if leaks is not None else None,
        "extra": {**extra, **leaks_extra(leaks)},
    }


def leaks_page_data(leaks: Mapping[str, Any]) -> dict[str, Any]:
    """Everything the page of `leaks --format html` renders."""
    return {"scan": None, "leaks": dict(leaks), "extra": leaks_extra(leaks)}


def leaks_extra(leaks: Mapping[str, Any] | None) -> dict[str, Any]:
    """The flaky tests' failure rates as the terminal prints them."""
    if leaks is None:
        return {}
    flaky = leaks.get("flaky") or []
    return {
        "flaky_rates": [
            f"{f.get('failure_rate', 0):.0%}" if isinstance(f, Mapping) else "" for f in flaky
        ]
    }


def _graph(report: Report, graph: FixtureGraph) -> dict[str, Any]:
    """Every fixture definition of the model (builtins and plugins too) as a row
    ``[name, path, line, scope, origin, autouse, used_by, requires]`` (requires: indices
    into the rows), and for each of ``report.tests``, in order, ``[requests, closure]`` as
    indices: what pytest resolves, override chains and autouse included."""
    resolution = graph.resolution
    definitions = list(graph.suite.fixtures)
    index = {d.key: i for i, d in enumerate(definitions)}

    def indices(keys: Iterable[str]) -> list[int]:
        return sorted({index[k] for k in keys if k in index})

    defs = [
        [
            d.name,
            d.path,
            d.line,
            d.scope.value,
            d.origin.value,
            1 if d.autouse else 0,
            graph.used_by(d.key),
            indices(edge.target for edge in resolution.requests(d.key)),
        ]
        for d in definitions
    ]
    tests: list[list[list[int]]] = []
    for test in report.tests:
        fixtures = resolution.tests.get(test.nodeid)
        closure: Sequence[str] = fixtures.definitions if fixtures is not None else ()
        tests.append(
            [indices(edge.target for edge in resolution.requests(test.nodeid)), indices(closure)]
        )
    return {"defs": defs, "tests": tests}
