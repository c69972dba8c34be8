"""`scan --format markdown`: the report as a pull-request comment."""

from __future__ import annotations

from collections import Counter

from auditor.report.contents import Pyramid, Report, items_text
from auditor.report.profile_table import profile_markdown

_BAR = 20
_MAX_ROWS = 20


def render_markdown(report: Report) -> str:
    lines = [
        "## test-auditor scan",
        "",
        f"{report.files} test files, {report.conftests} conftest.py, "
        f"{len(report.tests)} tests ({items_text(report)}), {len(report.fixtures)} fixtures, "
        f"{len(report.findings)} findings.",
        "",
    ]
    if report.pyramid.total:
        lines.extend(_pyramid(report.pyramid))
    if report.run is not None:
        lines.extend(_run(report))
    if report.duplicates:
        lines.extend(_duplicates(report))
    if report.findings:
        lines.extend(["### Findings per rule", "", "| rule | name | findings |", "|---|---|---:|"])
        counted = Counter((f.rule, f.name) for f in report.findings)
        for (rule, name), count in sorted(counted.items()):
            lines.append(f"| {rule} | {name} | {count} |")
        lines.append("")
    return "\n".join(lines) + "\n"


def _pyramid(pyramid: Pyramid) -> list[str]:
    lines = ["### Test pyramid", "", "| tier | tests | share | |", "|---|---:|---:|---|"]
    for tier in reversed(pyramid.tiers):
        share = pyramid.share(tier)
        lines.append(
            f"| {tier} | {pyramid.counts[tier]} | {share:.0%} | {'█' * round(share * _BAR)} |"
        )
    lines.append("")
    lines.extend(_tier_table("Tiers per folder", "folder", pyramid.folders, pyramid.tiers))
    if pyramid.mixed_files:
        lines.extend(
            _tier_table("Files that mix tiers", "file", pyramid.mixed_files, pyramid.tiers)
        )
    return lines


def _tier_table(
    title: str, what: str, rows: dict[str, dict[str, int]], tiers: tuple[str, ...]
) -> list[str]:
    """Tests per tier for each folder or file, the largest first."""
    lines = [
        f"### {title}",
        "",
        f"| {what} | {' | '.join(tiers)} |",
        "|---|" + "---:|" * len(tiers),
    ]
    ranked = sorted(rows.items(), key=lambda item: -sum(item[1].values()))
    for key, counts in ranked[:_MAX_ROWS]:
        lines.append(f"| `{key}` | {' | '.join(str(counts[t]) for t in tiers)} |")
    if len(ranked) > _MAX_ROWS:
        lines.append(f"\n… and {len(ranked) - _MAX_ROWS} more {what}s")
    lines.append("")
    return lines


def _run(report: Report) -> list[str]:
    """`scan --run`: the tests whose run disagrees with their static tier, the profile."""
    run = report.run
    assert run is not None
    lines = [
        "### Run vs static tiers",
        "",
        f"{len(run.observations.tests)} test executions in {run.observations.seconds:.1f} s; "
        f"tiers corrected: {run.corrected}, tests that disagree: {run.disagreements}.",
        "",
    ]
    rows = [t for t in report.tests if t.run is not None and t.run.disagreements]
    if rows:
        lines += ["| test | static | run | why |", "|---|---|---|---|"]
        for row in rows[:_MAX_ROWS]:
            assert row.run is not None
            why = "<br>".join(row.run.disagreements).replace("|", "\\|")
            lines.append(f"| `{row.nodeid}` | {row.run.static_tier} | {row.run.tier} | {why} |")
        if len(rows) > _MAX_ROWS:
            lines.append(f"\n… and {len(rows) - _MAX_ROWS} more")
        lines.append("")
    return lines + profile_markdown(run.observations)


def _duplicates(report: Report) -> list[str]:
    lines = [
        f"### Duplicates ({len(report.duplicates)} groups)",
        "",
        "| kind | clone | members | what to do |",
        "|---|---|---|---|",
    ]
    for group in report.duplicates[:_MAX_ROWS]:
        members = "<br>".join(f"`{m.path}:{m.line}` {m.name}" for m in group.members[:6])
        if len(group.members) > 6:
            members += f"<br>… and {len(group.members) - 6} more"
        lines.append(f"| {group.kind} | {group.clone} | {members} | {group.suggestion} |")
    if len(report.duplicates) > _MAX_ROWS:
        lines.append(f"\n… and {len(report.duplicates) - _MAX_ROWS} more groups")
    lines.append("")
    return lines
