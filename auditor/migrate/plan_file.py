"""The migration plan: its operations, and the TOML file the user reviews and edits.

The file is written as plain text (our own layout, one ``[[operations]]`` table per
operation) and read back with the standard TOML reader; only ``apply`` is meant to be
edited. It records the base commit and the sha256 of every file the plan touches, so a
plan made for another tree is refused (:class:`StalePlan`).
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

PLAN_VERSION = 1
DEFAULT_PLAN = "test-auditor-migration.toml"
KINDS = ("move", "mark", "register", "split")
NOT_IMPLEMENTED = "not implemented in this version"


class PlanError(ValueError):
    """A plan file that cannot be read or used (exit code 2)."""


class StalePlan(PlanError):
    """The tree no longer matches the plan (a touched file changed, a target exists)."""


@dataclass(frozen=True, slots=True)
class Operation:
    """One change: ``move`` a module (``path`` -> ``target``), ``mark`` a module with
    ``marker``, ``register`` ``markers`` in the config file ``path``, ``split`` a module
    whose tests span tiers (never applied in this version)."""

    id: str
    kind: str
    path: str
    safety: str = "safe"
    apply: bool = True
    tier: str = ""
    target: str = ""
    marker: str = ""
    markers: tuple[str, ...] = ()
    creates: tuple[str, ...] = ()
    """Empty ``__init__.py`` files a move creates (new folders inside a package)."""
    evidence: tuple[str, ...] = ()
    hazards: tuple[str, ...] = ()
    tests: tuple[str, ...] = ()
    """``mark``: the module's tests (node ids before the plan): what ``-m marker`` adds."""
    nodeids: tuple[tuple[str, str], ...] = ()
    """``move``: old node id -> new node id of every test of the module."""
    tiers: tuple[tuple[str, int], ...] = ()
    """``split``: tests per tier."""

    def held(self, *hazards: str) -> Operation:
        """This operation held back for ``hazards``."""
        known = tuple(dict.fromkeys([*self.hazards, *hazards]))
        return replace(self, safety="unsafe", apply=False, hazards=known)


@dataclass(frozen=True)
class Plan:
    rootdir: Path
    operations: tuple[Operation, ...]
    files: dict[str, str] = field(default_factory=dict)
    """Every file the plan reads or writes (relative path -> sha256)."""
    base_commit: str | None = None
    paths: tuple[str, ...] = ()

    @property
    def applied(self) -> tuple[Operation, ...]:
        return tuple(op for op in self.operations if op.apply)

    def moves(self) -> dict[str, str]:
        """Applied moves: old path -> new path."""
        return {op.path: op.target for op in self.applied if op.kind == "move"}

    def with_operations(self, operations: Iterable[Operation]) -> Plan:
        return replace(self, operations=tuple(operations))


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def hashes(rootdir: Path, paths: Iterable[str]) -> dict[str, str]:
    return {p: sha256_of(rootdir / p) for p in sorted(set(paths)) if (rootdir / p).is_file()}


def check_fresh(plan: Plan) -> None:
    """Raise :class:`StalePlan` when a file the plan touches changed, went, or a file it
    would create is already there."""
    stale: list[str] = []
    for path, digest in plan.files.items():
        file = plan.rootdir / path
        if not file.is_file():
            stale.append(f"{path} is gone")
        elif sha256_of(file) != digest:
            stale.append(f"{path} changed since the plan was made")
    for op in plan.applied:
        for new in (op.target, *op.creates) if op.kind == "move" else ():
            if new and (plan.rootdir / new).exists():
                stale.append(f"{new} exists already")
    if stale:
        raise StalePlan("the plan no longer matches the tree: " + "; ".join(stale))


# -- writing ---------------------------------------------------------------------------------


def _string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string


def _strings(values: Iterable[str]) -> str:
    items = [_string(v) for v in values]
    if not items:
        return "[]"
    if sum(len(i) for i in items) < 70:
        return "[" + ", ".join(items) + "]"
    return "[\n" + "".join(f"    {i},\n" for i in items) + "]"


def render(plan: Plan) -> str:
    """The plan as the TOML file the user reviews."""
    out = [
        "# test-auditor migration plan. Review it, set `apply` as you wish, then run",
        "# `test-auditor migrate diff FILE` (shows the change) or `migrate apply FILE`.",
        "# Operations with hazards are held back (apply = false): what the static proof",
        "# could not show safe. Only `apply` is meant to be edited.",
        f"version = {PLAN_VERSION}",
        f"rootdir = {_string(str(plan.rootdir))}",
    ]
    if plan.base_commit:
        out.append(f"base_commit = {_string(plan.base_commit)}")
    out.append(f"paths = {_strings(plan.paths)}")
    out += ["", "[files]  # sha256 of every file the plan touches"]
    out += [f"{_string(path)} = {_string(digest)}" for path, digest in sorted(plan.files.items())]
    for op in plan.operations:
        out += ["", "[[operations]]", f"id = {_string(op.id)}", f"kind = {_string(op.kind)}"]
        out.append(f"path = {_string(op.path)}")
        for key in ("tier", "target", "marker"):
            if value := getattr(op, key):
                out.append(f"{key} = {_string(value)}")
        if op.markers:
            out.append(f"markers = {_strings(op.markers)}")
        if op.creates:
            out.append(f"creates = {_strings(op.creates)}")
        out.append(f"safety = {_string(op.safety)}")
        out.append(f"apply = {'true' if op.apply else 'false'}")
        out.append(f"hazards = {_strings(op.hazards)}")
        out.append(f"evidence = {_strings(op.evidence)}")
        if op.tests:
            out.append(f"tests = {_strings(op.tests)}")
        if op.tiers:
            out.append("tiers = { " + ", ".join(f"{_string(k)} = {v}" for k, v in op.tiers) + " }")
        if op.nodeids:
            out.append("[operations.nodeids]  # old node id -> new node id")
            out += [f"{_string(old)} = {_string(new)}" for old, new in op.nodeids]
    return "\n".join(out) + "\n"


def write(plan: Plan, path: Path) -> None:
    path.write_text(render(plan), encoding="utf-8")


# -- reading ---------------------------------------------------------------------------------


def read(path: Path) -> Plan:
    """The plan in ``path``; :class:`PlanError` naming what is wrong."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError(f"{path}: cannot read the plan: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise PlanError(f"{path}: invalid TOML: {exc}") from exc
    if data.get("version") != PLAN_VERSION:
        raise PlanError(f"{path}: not a test-auditor migration plan (version {PLAN_VERSION})")
    rootdir = data.get("rootdir")
    files = data.get("files", {})
    if not isinstance(rootdir, str) or not isinstance(files, dict):
        raise PlanError(f"{path}: `rootdir` and `[files]` are required")
    operations = data.get("operations", [])
    if not isinstance(operations, list):
        raise PlanError(f"{path}: `operations` must be an array of tables")
    ops = tuple(_operation(entry, path) for entry in operations)
    ids = [op.id for op in ops]
    if len(set(ids)) != len(ids):
        raise PlanError(f"{path}: operation ids must be unique")
    base = data.get("base_commit")
    return Plan(
        rootdir=Path(rootdir),
        operations=ops,
        files={str(k): str(v) for k, v in files.items()},
        base_commit=str(base) if base else None,
        paths=tuple(str(p) for p in data.get("paths", [])),
    )


def _operation(entry: object, path: Path) -> Operation:
    if not isinstance(entry, dict):
        raise PlanError(f"{path}: each operation must be a table")
    where = f"{path}: operation {entry.get('id', '?')!s}"
    kind = entry.get("kind")
    if kind not in KINDS:
        raise PlanError(f"{where}: kind must be one of {', '.join(KINDS)}")
    if not isinstance(entry.get("apply"), bool):
        raise PlanError(f"{where}: apply must be true or false")
    for key in ("id", "path"):
        if not isinstance(entry.get(key), str) or not entry[key]:
            raise PlanError(f"{where}: {key} is required")
    if kind == "move" and not isinstance(entry.get("target"), str):
        raise PlanError(f"{where}: a move needs a target")
    if kind == "split" and entry["apply"]:
        raise PlanError(f"{where}: split is {NOT_IMPLEMENTED}; set apply = false")
    nodeids = entry.get("nodeids", {})
    tiers = entry.get("tiers", {})
    if not isinstance(nodeids, Mapping) or not isinstance(tiers, Mapping):
        raise PlanError(f"{where}: nodeids and tiers must be tables")

    def texts(key: str) -> tuple[str, ...]:
        value = entry.get(key, [])
        if not isinstance(value, list):
            raise PlanError(f"{where}: {key} must be an array")
        return tuple(str(v) for v in value)

    return Operation(
        id=entry["id"],
        kind=kind,
        path=entry["path"],
        safety=str(entry.get("safety", "safe")),
        apply=entry["apply"],
        tier=str(entry.get("tier", "")),
        target=str(entry.get("target", "")),
        marker=str(entry.get("marker", "")),
        markers=texts("markers"),
        creates=texts("creates"),
        evidence=texts("evidence"),
        hazards=texts("hazards"),
        tests=texts("tests"),
        nodeids=tuple((str(k), str(v)) for k, v in nodeids.items()),
        tiers=tuple((str(k), int(v)) for k, v in tiers.items()),
    )
