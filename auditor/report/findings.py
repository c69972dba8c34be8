"""`check` output: the flake8/ruff line format editors parse, JSON, and GitHub Actions
workflow commands."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from auditor.types import Finding, Severity


def location(finding: Finding) -> str:
    """``path:line:col`` with columns counted from 1, as editors expect."""
    return f"{finding.path}:{finding.line}:{finding.col + 1}"


def render_text(
    findings: Sequence[Finding],
    *,
    fixed: int = 0,
    hidden: int = 0,
    applies: Callable[[Finding], bool] = lambda f: f.fixable,
) -> str:
    """One ``path:line:col: CODE message`` line per finding (``[*]``: ``--fix`` fixes
    it), then a summary."""
    lines = [f"{location(f)}: {f.rule}{' [*]' if applies(f) else ''} {f.message}" for f in findings]
    fixable = sum(1 for f in findings if applies(f))
    if findings:
        summary = f"Found {len(findings)} problem{'' if len(findings) == 1 else 's'}"
        if fixable:
            summary += f" ({fixable} fixable with `--fix`)"
        lines.append(summary + ".")
    if fixed:
        lines.append(f"Fixed {fixed} problem{'' if fixed == 1 else 's'}.")
    if hidden:
        lines.append(f"{hidden} more fixable with `--unsafe-fixes`.")
    if not findings and not fixed:
        lines.append("All checks passed!")
    return "\n".join(lines) + "\n"


def finding_dict(finding: Finding) -> dict[str, Any]:
    fix = finding.fix
    return {
        "rule": finding.rule,
        "name": finding.name,
        "severity": finding.severity.value,
        "path": finding.path,
        "line": finding.line,
        "col": finding.col,
        "message": finding.message,
        "fixable": finding.fixable,
        "fix": None
        if fix is None
        else {"applicability": fix.applicability.name.lower(), "title": fix.title},
    }


def render_json(findings: Sequence[Finding]) -> str:
    return json.dumps([finding_dict(f) for f in findings], indent=2) + "\n"


_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(findings: Sequence[Finding]) -> str:
    """GitHub Actions annotations (``::error file=...,line=...::message``)."""
    return "".join(
        f"::{_GITHUB_LEVEL[f.severity]} file={_escape_property(f.path)},line={f.line},"
        f"col={f.col + 1},title={_escape_property(f'{f.rule} {f.name}')}::"
        f"{_escape_data(f'{f.rule} {f.message}')}\n"
        for f in findings
    )
