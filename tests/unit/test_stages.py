"""The import contract: the folder tree is the pipeline, and data flows one way.

A module may import only from its own stage or an earlier one (imports inside functions
and under ``TYPE_CHECKING`` count too). The code that runs inside the user's pytest
process (the plugin, the probes and the record contracts) imports nothing of test-auditor
but itself, and nothing heavy: it is loaded into every pytest the driver starts.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

STAGES: tuple[tuple[str, ...], ...] = (
    (
        "auditor",
        "auditor.types",
        "auditor.paths",
        "auditor.config",
        "auditor.config_files",
        "auditor.settings",
    ),
    ("auditor.parse",),
    ("auditor.model",),
    ("auditor.dynamic",),
    ("auditor.analysis",),
    ("auditor.lint", "auditor.api", "auditor.rules"),
    ("auditor.report",),
    ("auditor.pipeline", "auditor.testing"),
    ("auditor.migrate",),
    ("auditor.cli", "auditor.__main__"),
)
"""Stages in the order data flows; a module belongs to the stage of its longest prefix."""

IN_PYTEST = (
    "auditor.dynamic.plugin",
    "auditor.dynamic.probes",
    "auditor.dynamic.record",
    "auditor.dynamic.shards",
    "auditor.dynamic.exercised",
    "auditor.dynamic.profile_record",
)
"""Modules loaded into the user's pytest process by ``-p auditor.dynamic.plugin.hooks``."""

HEAVY = ("libcst", "networkx", "rich")


def module_name(path: Path) -> str:
    relative = path.relative_to(ROOT).with_suffix("")
    parts = list(relative.parts)
    if parts[0] == "rules":  # rules/ ships as auditor.rules
        parts = ["auditor", *parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> Iterator[tuple[str, Path]]:
    for top in ("auditor", "rules"):
        for path in sorted((ROOT / top).rglob("*.py")):
            yield module_name(path), path


def imports_of(name: str, path: Path) -> set[str]:
    """Every module ``path`` imports, absolute (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            found.add(stem)
            # `from auditor.dynamic import probes` imports the module auditor.dynamic.probes
            found.update(f"{stem}.{alias.name}" for alias in node.names)
    return found


def stage_of(name: str) -> int | None:
    best: tuple[int, int] | None = None
    for index, prefixes in enumerate(STAGES):
        for prefix in prefixes:
            if name == prefix or name.startswith(prefix + "."):
                if prefix == "auditor" and name != "auditor":
                    continue  # the package itself only; its children have stages of their own
                if best is None or len(prefix) > best[1]:
                    best = (index, len(prefix))
    return None if best is None else best[0]


def known_modules() -> set[str]:
    return {name for name, _ in modules()}


MODULES = list(modules())


def test_every_module_has_a_stage() -> None:
    assert [name for name, _ in MODULES if stage_of(name) is None] == []


@pytest.mark.parametrize(("name", "path"), MODULES, ids=[name for name, _ in MODULES])
def test_no_stage_imports_a_later_one(name: str, path: Path) -> None:
    own = stage_of(name)
    assert own is not None
    known = known_modules()
    later = sorted(
        target
        for target in imports_of(name, path)
        if target in known and (stage := stage_of(target)) is not None and stage > own
    )
    assert later == [], f"{name} (stage {own}) imports later stages: {later}"


@pytest.mark.parametrize(
    ("name", "path"),
    [(n, p) for n, p in MODULES if n.startswith(IN_PYTEST)],
    ids=[n for n, _ in MODULES if n.startswith(IN_PYTEST)],
)
def test_what_runs_in_the_users_pytest_imports_only_its_own_kind(name: str, path: Path) -> None:
    known = known_modules()
    imported = imports_of(name, path)
    packages = ("auditor", "auditor.dynamic")  # their __init__ modules hold only a docstring
    ours = sorted(
        t for t in imported if t in known and not t.startswith(IN_PYTEST) and t not in packages
    )
    heavy = sorted(t for t in imported if t.split(".")[0] in HEAVY)
    assert ours == [], f"{name} runs inside the user's pytest but imports {ours}"
    assert heavy == [], f"{name} runs inside the user's pytest but imports {heavy}"


def test_only_the_command_line_imports_the_migrate_stage() -> None:
    """`migrate` sits after the pipeline: it may use every stage before it, and only the
    command line uses it."""
    importers = sorted(
        name
        for name, path in MODULES
        if not name.startswith(("auditor.migrate", "auditor.cli"))
        and any(
            t == "auditor.migrate" or t.startswith("auditor.migrate.")
            for t in imports_of(name, path)
        )
    )
    assert importers == []


def test_the_contract_sees_a_violation(tmp_path: Path) -> None:
    """The check itself: a model module importing the report stage is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from auditor.report.contents import Report\n")
    targets = imports_of("auditor.model.bad", bad)
    assert "auditor.report.contents" in targets
    assert stage_of("auditor.report.contents") > stage_of("auditor.model.bad")  # type: ignore[operator]
