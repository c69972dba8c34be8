"""`scan --format json`: the public contract of docs/architecture.md, plus extra fields."""

from __future__ import annotations

import json
from typing import Any

from auditor.analysis.confirm import Confirmed, Verdict, verdict_counts
from auditor.model.environment import SuiteEnvironment
from auditor.report.contents import Report
from auditor.report.profile_table import profile_dict

VERSION = 1


def report_dict(report: Report) -> dict[str, Any]:
    return {
        "version": VERSION,
        "rootdir": report.rootdir,
        "summary": {
            "files": report.files,
            "conftests": report.conftests,
            "tests": len(report.tests),
            "items": sum(t.items for t in report.tests),
            "items_exact": all(t.items_exact for t in report.tests),
            "fixtures": len(report.fixtures),
            "findings": len(report.findings),
            "deselected": len(report.deselected),
        },
        "tests": [
            {
                "nodeid": t.nodeid,
                "path": t.path,
                "line": t.line,
                "tier": t.tier,
                "fixtures": list(t.fixtures),
                "evidence": list(t.evidence),
                "dynamic_fixtures": list(t.dynamic_fixtures),
                "direct_params": list(t.direct_params),
                **(_verdict(t.run) if t.run is not None else {}),
            }
            for t in report.tests
        ],
        "fixtures": [
            {
                "name": f.name,
                "path": f.path,
                "line": f.line,
                "scope": f.scope,
                "autouse": f.autouse,
                "requires": list(f.requires),
                "used_by": f.used_by,
                "origin": f.origin,
                "visible_from": f.node,
                "fan_in": f.fan_in,
            }
            for f in report.fixtures
        ],
        "findings": [
            {
                "rule": f.rule,
                "name": f.name,
                "severity": f.severity.value,
                "path": f.path,
                "line": f.line,
                "col": f.col,
                "message": f.message,
                "fixable": f.fixable,
            }
            for f in report.findings
        ],
        "tiers": {
            "names": list(report.pyramid.tiers),
            "counts": report.pyramid.counts,
            "folders": report.pyramid.folders,
            "mixed_files": report.pyramid.mixed_files,
        },
        "duplicates": [
            {
                "kind": group.kind,
                "clone": group.clone,
                "similarity": round(group.similarity, 4),
                "suggestion": group.suggestion,
                "members": [
                    {"path": m.path, "line": m.line, "name": m.name, "nodeid": m.nodeid}
                    for m in group.members
                ],
            }
            for group in report.duplicates
        ],
        "hot_spots": {
            "most_used": [
                {
                    "name": h.name,
                    "path": h.path,
                    "line": h.line,
                    "scope": h.scope,
                    "used_by": h.used_by,
                }
                for h in report.most_used
            ],
            "longest_chains": [list(c.names) for c in report.longest_chains],
            "autouse_reach": [
                {
                    "name": a.name,
                    "path": a.path,
                    "line": a.line,
                    "scope": a.scope,
                    "tests": a.tests,
                    "share": round(a.share, 4),
                }
                for a in report.autouse_reach
            ],
        },
        "plugins": list(report.plugins),
        "deselected": [
            {"nodeid": d.nodeid, "path": d.path, "line": d.line, "by": d.by}
            for d in report.deselected
        ],
        **({"environment": _environment(report.environment)} if report.environment else {}),
        **({"notes": list(report.notes)} if report.notes else {}),
        **({"run": _run(report.run)} if report.run is not None else {}),
    }


def _environment(environment: SuiteEnvironment) -> dict[str, Any]:
    """Whose pytest and installed plugins the model read."""
    return {
        "python": environment.python,
        "found_by": environment.found_by,
        "own": environment.own,
        "site_packages": [str(p) for p in environment.site_packages],
    }


def _verdict(verdict: Verdict) -> dict[str, Any]:
    """A test's fields from `scan --run`."""
    return {
        "static_tier": verdict.static_tier,
        "observed": list(verdict.observed),
        "disagreements": list(verdict.disagreements),
        "run": {
            "outcome": verdict.outcome,
            "seconds": verdict.seconds,
            "peak_mb": None if verdict.peak_kb is None else round(verdict.peak_kb / 1024, 1),
            "statements": verdict.statements,
        },
    }


def _run(run: Confirmed) -> dict[str, Any]:
    return {
        "tests": len(run.observations.tests),
        "seconds": round(run.observations.seconds, 2),
        "outcomes": verdict_counts(run.verdicts),
        "corrected": run.corrected,
        "disagreements": run.disagreements,
        "not_in_static_model": list(run.unmatched),
        "profile": profile_dict(run.observations),
    }


def render_json(report: Report) -> str:
    return json.dumps(report_dict(report), indent=2) + "\n"
