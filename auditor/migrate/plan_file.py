"""The migration plan: its operations, and the TOML file the user reviews and edits.

The file is written as plain text (our own layout, one ``[[operations]]`` table per
operation) and read back with the standard TOML reader; only ``apply`` is meant to be
edited. It records the base commit and the sha256 of every file the plan touches, so a
plan made for another tree is refused (:class:`StalePlan`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

PLAN_VERSION = 1
DEFAULT_PLAN = "test-auditor-migration.toml"
KINDS = ("move", "rename", "rewrite", "notest", "mark", "register", "split", "hoist", "codemod")
NOT_IMPLEMENTED = "not implemented in this version"


class PlanError(ValueError):
    """A plan file that cannot be read or used (exit code 2)."""


class StalePlan(PlanError):
    """The tree no longer matches the plan (a touched file changed, a target exists)."""


@dataclass(frozen=True, slots=True)
class Operation:
    """One change: ``move`` a module (``path`` -> ``target``), ``rename`` a helper module
    pytest would collect (TA102), ``rewrite`` a module's imports, strings and paths for
    the moves, ``notest`` (``__test__ = False`` on the class ``name``, TA103), ``mark`` a
    module with ``marker``, ``register`` ``markers`` in the config file ``path``,
    ``split`` a module whose tests span tiers, ``hoist`` the fixture ``name`` duplicated
    in ``copies`` into the conftest ``path`` (TA503), ``codemod``: a fix of `check` (the
    codemod ``name`` with ``options``) on the module ``path``."""

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
    name: str = ""
    """``notest``: the qualified name of the class that gets ``__test__ = False``."""
    follows: tuple[str, ...] = ()
    """``move`` of a conftest or helper: the modules whose moves it goes with (it is held
    back with any of them)."""
    parts: tuple[tuple[str, str], ...] = ()
    """``split``: (tier, new path) of each part; ``markers`` holds their markers in the
    same order, ``target`` the part that takes the module's place (a rename), ``nodeids``
    every test's new node id."""
    copies: tuple[str, ...] = ()
    """``hoist``: the test modules (paths before the plan) whose copy of the fixture
    ``name`` is deleted; ``creates`` holds the conftest when it is new."""
    options: tuple[tuple[str, str], ...] = ()
    """``codemod``: the codemod's options (``function`` = the qualified name)."""

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

    def markers(self) -> list[str]:
        """The markers the applied marks and splits write."""
        found = {op.marker for op in self.applied if op.kind == "mark"}
        found |= {m for op in self.applied if op.kind == "split" for m in op.markers}
        return sorted(found)

    def registered(self, op: Operation) -> tuple[str, ...]:
        """The lines of the ``register`` operation ``op`` that applied marks and splits
        need (a held-back mark's marker is not registered)."""
        used = set(self.markers())
        return tuple(line for line in op.markers if line.split(":")[0].strip() in used)

    def moves(self) -> dict[str, str]:
        """Applied moves and renames: old path -> new path."""
        return {op.path: op.target for op in self.applied if op.kind in ("move", "rename")}

    def hoists(self) -> dict[tuple[str, str], str]:
        """Applied hoists: (a copy's module before the plan, the fixture's name) -> the
        conftest the fixture goes to, where it is after the plan (a conftest may move with
        its folder's modules)."""
        moves = self.moves()
        return {
            (copy, op.name): moves.get(op.path, op.path)
            for op in self.applied
            if op.kind == "hoist"
            for copy in op.copies
        }

    def splits(self) -> dict[str, dict[str, str]]:
        """Applied splits: module path -> (top-level test name -> the part's path)."""
        found: dict[str, dict[str, str]] = {}
        for op in self.applied:
            if op.kind == "split":
                names = found.setdefault(op.path, {})
                for old, new in op.nodeids:
                    names[old.partition("::")[2].split("::")[0].split("[")[0]] = new.partition(
                        "::"
                    )[0]
        return found

    def new_nodeid(self, nodeid: str) -> str:
        """``nodeid`` after the plan (moved, renamed or split), unchanged otherwise."""
        path, separator, rest = nodeid.partition("::")
        split = self.splits().get(path)
        if split is not None:
            return split.get(rest.split("::")[0].split("[")[0], path) + separator + rest
        return self.moves().get(path, path) + separator + rest

    def new_path(self, path: str, nodeid: str = "") -> str:
        """Where the module ``path`` (the part holding ``nodeid``, when it is split) is
        after the plan."""
        return self.new_nodeid(nodeid or path).partition("::")[0]

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
        news = (op.target, *op.creates) if op.kind in ("move", "rename") else ()
        if op.kind == "split":
            news = (*(t for _, t in op.parts if t != op.path), *op.creates)
        if op.kind == "hoist":
            news = op.creates
        for new in news:
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
        for key in ("tier", "target", "marker", "name"):
            if value := getattr(op, key):
                out.append(f"{key} = {_string(value)}")
        if op.markers:
            out.append(f"markers = {_strings(op.markers)}")
        if op.creates:
            out.append(f"creates = {_strings(op.creates)}")
        if op.follows:
            out.append(f"follows = {_strings(op.follows)}")
        if op.copies:
            out.append(f"copies = {_strings(op.copies)}")
        out.append(f"safety = {_string(op.safety)}")
        out.append(f"apply = {'true' if op.apply else 'false'}")
        out.append(f"hazards = {_strings(op.hazards)}")
        out.append(f"evidence = {_strings(op.evidence)}")
        if op.tests:
            out.append(f"tests = {_strings(op.tests)}")
        if op.tiers:
            out.append("tiers = { " + ", ".join(f"{_string(k)} = {v}" for k, v in op.tiers) + " }")
        if op.options:
            options = ", ".join(f"{_string(k)} = {_string(v)}" for k, v in op.options)
            out.append(f"options = {{ {options} }}")
        if op.parts:
            parts = ", ".join(f"{_string(k)} = {_string(v)}" for k, v in op.parts)
            out.append(f"parts = {{ {parts} }}")
        if op.nodeids:
            out.append("[operations.nodeids]  # old node id -> new node id")
            out += [f"{_string(old)} = {_string(new)}" for old, new in op.nodeids]
    return "\n".join(out) + "\n"


def write(plan: Plan, path: Path) -> None:
    """The plan in ``path``, written whole or not at all (a temporary file renamed)."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as output:
            output.write(render(plan))
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


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
    if kind in ("move", "rename") and not isinstance(entry.get("target"), str):
        raise PlanError(f"{where}: a {kind} needs a target")
    if kind == "hoist" and (not entry.get("name") or not entry.get("copies")):
        raise PlanError(f"{where}: a hoist needs the fixture's name and its copies")
    nodeids = entry.get("nodeids", {})
    tiers = entry.get("tiers", {})
    parts = entry.get("parts", {})
    options = entry.get("options", {})
    if not all(isinstance(t, Mapping) for t in (nodeids, tiers, parts, options)):
        raise PlanError(f"{where}: nodeids, tiers, parts and options must be tables")
    if kind == "split" and (not parts or len(texts_of(entry, "markers", where)) != len(parts)):
        raise PlanError(f"{where}: a split needs its parts and one marker per part")

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
        name=str(entry.get("name", "")),
        markers=texts("markers"),
        creates=texts("creates"),
        follows=texts("follows"),
        copies=texts("copies"),
        evidence=texts("evidence"),
        hazards=texts("hazards"),
        tests=texts("tests"),
        nodeids=tuple((str(k), str(v)) for k, v in nodeids.items()),
        tiers=tuple((str(k), int(v)) for k, v in tiers.items()),
        parts=tuple((str(k), str(v)) for k, v in parts.items()),
        options=tuple((str(k), str(v)) for k, v in options.items()),
    )


def texts_of(entry: Mapping[str, object], key: str, where: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list):
        raise PlanError(f"{where}: {key} must be an array")
    return tuple(str(v) for v in value)
