"""Shared by the migrate unit tests: a suite written into a folder, and its plan."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from auditor.config import load_config
from auditor.migrate.plan import make_plan
from auditor.migrate.plan_file import Operation, Plan
from auditor.model.build import BuildOptions


def write_suite(root: Path, files: Mapping[str, str | bytes], ini: str = "") -> Path:
    """`files` (text or bytes) under `root`, with a pytest.ini collecting ``tests``."""
    (root / "pytest.ini").write_text(f"[pytest]\ntestpaths = tests\n{ini}")
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return root


def plan_of(root: Path) -> Plan:
    """`migrate plan` of the suite at `root`, without the cache."""
    config = load_config([], invocation_dir=root)
    return make_plan(config, [], build=BuildOptions(use_cache=False), invocation_dir=root)


def ops(plan: Plan, kind: str) -> dict[str, Operation]:
    """The plan's operations of one kind, by path."""
    return {op.path: op for op in plan.operations if op.kind == kind}
