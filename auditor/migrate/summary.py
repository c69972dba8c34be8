"""What `migrate plan` prints: the operations per kind and tier, and each one held back
with its hazards."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from auditor.migrate.plan_file import Plan


def summary(plan: Plan, output: Path) -> str:
    applied = plan.applied
    moves = Counter(op.tier for op in applied if op.kind == "move")
    lines = [f"Wrote {output}: {len(plan.operations)} operations, {len(applied)} to apply."]
    if moves:
        per_tier = ", ".join(f"{count} to {tier}" for tier, count in sorted(moves.items()))
        lines.append(f"  moves: {sum(moves.values())} ({per_tier})")
    kinds = Counter(op.kind for op in applied)
    if kinds["rename"]:
        lines.append(f"  renames: {kinds['rename']} helper modules pytest would collect")
    if kinds["split"]:
        lines.append(f"  splits: {kinds['split']} modules into one module per tier")
    if kinds["rewrite"]:
        lines.append(f"  rewrites: {kinds['rewrite']} modules (imports, strings, paths)")
    if kinds["notest"]:
        lines.append(f"  notest: {kinds['notest']} helper classes get `__test__ = False`")
    if kinds["hoist"]:
        copies = sum(len(op.copies) for op in applied if op.kind == "hoist")
        lines.append(
            f"  hoists: {kinds['hoist']} duplicated fixtures into conftests "
            f"({copies} copies deleted)"
        )
    if kinds["codemod"]:
        lines.append(f"  codemods: {kinds['codemod']} safe fixes of `check`")
    marks = kinds["mark"]
    if marks:
        lines.append(f"  marks: {marks} modules get their tier's pytestmark")
    for op in applied:
        if op.kind == "register":
            lines.append(f"  markers registered in {op.path}: {len(plan.registered(op))}")
    held = [op for op in plan.operations if not op.apply]
    if held:
        lines.append(f"  held back: {len(held)}")
        for op in held:
            where = f"{op.path} -> {op.target}" if op.target else op.path
            lines.append(f"    {op.id} {op.kind} {where}")
            for hazard in op.hazards[:3]:
                lines.append(f"      - {hazard}")
            if len(op.hazards) > 3:
                lines.append(f"      - ... {len(op.hazards) - 3} more in the plan")
    return "\n".join(lines) + "\n"
