"""The bytes a plan writes: tier markers merged into a module's ``pytestmark`` (libcst,
which keeps the file's encoding, coding cookie, BOM and line endings), markers registered
in the config file pytest reads (tomlkit for TOML, a careful line edit for ini files, each
checked by reading the result back), and the whole change set of a plan.
"""

from __future__ import annotations

import configparser
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import tomlkit
from tomlkit.items import Table

from auditor.config import pytest_options
from auditor.migrate.codemods import CodemodError, run_codemod
from auditor.migrate.helper_ops import NotATestError, not_a_test
from auditor.migrate.hoist import prepare
from auditor.migrate.hoist_edits import HoistError, first_party_of, with_fixture, without_fixture
from auditor.migrate.imports import first_party_names
from auditor.migrate.marks import EditError as EditError
from auditor.migrate.marks import has_module_marker as has_module_marker
from auditor.migrate.marks import mark_module as mark_module
from auditor.migrate.names import Moves
from auditor.migrate.plan_file import Operation, Plan
from auditor.migrate.rewrite import RewriteError, rewrite_module
from auditor.migrate.rewrites import moves_of

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

TOML_CONFIGS = ("pyproject.toml", "pytest.toml", ".pytest.toml")
INI_SECTIONS = {
    "pytest.ini": "pytest",
    ".pytest.ini": "pytest",
    "tox.ini": "pytest",
    "setup.cfg": "tool:pytest",
}


def first_party_for(rootdir: Path, path: str, operations: Sequence[Operation]) -> frozenset[str]:
    """The first-party names where an ``import pytest`` is placed in the module ``path``:
    the project's, its folder's and the new names of the helper modules the applied
    ``operations`` rename (the same for the plan's check and its change, so the marked
    bytes are made once)."""
    renamed = {
        PurePosixPath(op.target).stem for op in operations if op.apply and op.kind == "rename"
    }
    return first_party_names(rootdir, (rootdir / path).parent) | renamed


# -- marker registration --------------------------------------------------------------------


def marker_names(lines: Sequence[str]) -> list[str]:
    """The names of registered markers (``"unit: fast tests"`` -> ``unit``)."""
    return [line.split(":")[0].split("(")[0].strip() for line in lines]


def register_markers(config: Path, original: bytes, lines: Sequence[str]) -> bytes:
    """``config`` (pytest's config file, ``original`` its bytes) with ``lines`` added to
    its ``markers``, its comments and layout kept; checked by reading it back."""
    name = config.name
    if name in TOML_CONFIGS:
        edited = _register_toml(original, lines, pyproject=name == "pyproject.toml")
        before, after = _toml_options(original, name), _toml_options(edited, name)
    elif name in INI_SECTIONS:
        edited = _register_ini(original, lines, INI_SECTIONS[name])
        before = _ini_options(original, INI_SECTIONS[name])
        after = _ini_options(edited, INI_SECTIONS[name])
    else:
        raise EditError(f"{name}: not a config file whose markers can be edited")
    _check_read_back(before, after, lines)
    return edited


def _check_read_back(
    before: Mapping[str, object], after: Mapping[str, object], lines: Sequence[str]
) -> None:
    others = {k: v for k, v in before.items() if k != "markers"}
    if others != {k: v for k, v in after.items() if k != "markers"}:
        raise EditError("adding the markers would change other pytest options")
    old, new = pytest_options(before).markers, pytest_options(after).markers
    if tuple(new) != (*old, *lines):
        raise EditError("the markers read back are not the old ones plus the new ones")


def _toml_table_keys(document: Mapping[str, object], pyproject: bool) -> tuple[str, ...]:
    if not pyproject:
        return ("pytest",)
    tool = document.get("tool")
    pytest_table = tool.get("pytest") if isinstance(tool, Mapping) else None
    if isinstance(pytest_table, Mapping) and ("ini_options" in pytest_table or not pytest_table):
        return ("tool", "pytest", "ini_options")
    if isinstance(pytest_table, Mapping):
        return ("tool", "pytest")  # pytest 9's native table
    return ("tool", "pytest", "ini_options")


def _register_toml(original: bytes, lines: Sequence[str], *, pyproject: bool) -> bytes:
    try:
        text = original.decode("utf-8")
        document = tomlkit.parse(text)
    except (UnicodeDecodeError, tomlkit.exceptions.TOMLKitError) as exc:
        raise EditError(f"cannot read the TOML file: {exc}") from exc
    node: Table | tomlkit.TOMLDocument = document
    for key in _toml_table_keys(document, pyproject):
        child = node.get(key)
        if child is None:
            child = tomlkit.table(is_super_table=key != "ini_options" and pyproject)
            node[key] = child
        if not isinstance(child, Table):
            raise EditError(f"`{key}` is not a table in the TOML file")
        node = child
    markers = node.get("markers")
    if markers is None:
        node["markers"] = list(lines)
    elif isinstance(markers, list):
        markers.extend(lines)
    else:
        raise EditError("`markers` is not an array in the TOML file")
    edited = tomlkit.dumps(document)
    if "\r\n" in text and "\n" not in text.replace("\r\n", ""):
        edited = edited.replace("\r\n", "\n").replace("\n", "\r\n")
    return edited.encode("utf-8")


def _toml_options(data: bytes, name: str) -> dict[str, object]:
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise EditError(f"the edited TOML file does not read back: {exc}") from exc
    node: object = document
    for key in _toml_table_keys(document, name == "pyproject.toml"):
        node = node.get(key, {}) if isinstance(node, dict) else {}
    return dict(node) if isinstance(node, dict) else {}


def _ini_options(data: bytes, section: str) -> dict[str, object]:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(data.decode("utf-8"))
    except (UnicodeDecodeError, configparser.Error) as exc:
        raise EditError(f"the ini file does not read back: {exc}") from exc
    return dict(parser[section]) if parser.has_section(section) else {}


def _register_ini(original: bytes, lines: Sequence[str], section: str) -> bytes:
    try:
        text = original.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EditError("the ini file is not UTF-8") from exc
    newline = "\r\n" if "\r\n" in text else "\n"
    rows = text.splitlines(keepends=True)
    header = next(
        (i for i, row in enumerate(rows) if row.strip().replace(" ", "") == f"[{section}]"), None
    )
    if header is None:
        raise EditError(f"no [{section}] section in the ini file")
    end = next(
        (
            i
            for i in range(header + 1, len(rows))
            if rows[i].lstrip().startswith("[") and not rows[i][:1].isspace()
        ),
        len(rows),
    )
    key = next(
        (
            i
            for i in range(header + 1, end)
            if rows[i].split("=")[0].split(":")[0].strip() == "markers"
            and not rows[i][:1].isspace()
        ),
        None,
    )
    if key is not None:
        last, indent = key, "    "
        for i in range(key + 1, end):
            if not rows[i].strip():
                continue
            if not rows[i][:1].isspace():
                break
            last = i
            indent = rows[i][: len(rows[i]) - len(rows[i].lstrip())]
        added = [f"{indent}{line}{newline}" for line in lines]
    else:
        last = max((i for i in range(header, end) if rows[i].strip()), default=header)
        added = [f"markers ={newline}", *(f"    {line}{newline}" for line in lines)]
    if not rows[last].endswith(("\n", "\r")):
        rows[last] += newline
    rows[last + 1 : last + 1] = added
    return "".join(rows).encode("utf-8")


# -- the change set of a plan ------------------------------------------------------------


@dataclass
class Changes:
    """What applying a plan does: renames (old -> new path), then the final bytes of each
    written path (at its new place), and the files it creates."""

    renames: dict[str, str] = field(default_factory=dict)
    writes: dict[str, bytes] = field(default_factory=dict)
    """Final path -> new bytes (moved and marked modules, the config file, new files)."""
    originals: dict[str, bytes] = field(default_factory=dict)
    """Final path -> the bytes there before (for a moved module, its old bytes)."""
    created: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.renames or self.writes)

    def touched(self) -> list[str]:
        """Every path the change writes, removes or creates (old and new places)."""
        return sorted({*self.renames, *self.renames.values(), *self.writes})


def marker_line(marker: str, tier: str) -> str:
    return f"{marker}: {tier} tier (registered by test-auditor migrate)"


def build_changes(rootdir: Path, plan: Plan) -> Changes:
    """The change set of the plan's applied operations on the tree at ``rootdir``;
    :class:`EditError` when an edit cannot be made."""
    changes = Changes()
    changes.renames = plan.moves()
    moves = moves_of(rootdir, plan.applied)
    created: list[str] = []
    for op in plan.applied:
        if op.kind in ("move", "rename"):
            final = op.target
            if final not in changes.writes:
                original = (rootdir / op.path).read_bytes()
                changes.originals[final] = original
            for init in op.creates:
                if init not in created:
                    created.append(init)
                    changes.writes[init] = b""
        elif op.kind == "rewrite":
            final = changes.renames.get(op.path, op.path)
            original = changes.originals.get(final) or (rootdir / op.path).read_bytes()
            changes.originals[final] = original
            current = changes.writes.get(final, original)
            try:
                done = rewrite_module(current, op.path, moves)
            except RewriteError as exc:
                raise EditError(str(exc)) from exc
            if done.hazards:
                raise EditError(f"{op.path}: {done.hazards[0][0]}")
            if done.data != current:
                changes.writes[final] = done.data
        elif op.kind == "split":
            split_changes(rootdir, op, moves, changes, created)
        elif op.kind == "notest":
            final = changes.renames.get(op.path, op.path)
            original = changes.originals.get(final) or (rootdir / op.path).read_bytes()
            changes.originals[final] = original
            try:
                changes.writes[final] = not_a_test(changes.writes.get(final, original), op.name)
            except NotATestError as exc:
                raise EditError(f"{op.path}: {exc}") from exc
        elif op.kind == "mark":
            final = changes.renames.get(op.path, op.path)
            original = changes.originals.get(final) or (rootdir / op.path).read_bytes()
            changes.originals[final] = original
            current = changes.writes.get(final, original)
            local = first_party_for(rootdir, op.path, plan.applied)
            changes.writes[final] = mark_module(current, op.marker, local)
        elif op.kind == "register" and plan.registered(op):
            file = rootdir / op.path
            original = changes.originals.get(op.path) or file.read_bytes()
            changes.originals[op.path] = original
            current = changes.writes.get(op.path, original)
            changes.writes[op.path] = register_markers(file, current, plan.registered(op))
        elif op.kind == "hoist":
            hoist_changes(rootdir, op, changes, created)
        elif op.kind == "codemod":
            final = changes.renames.get(op.path, op.path)
            original = changes.originals.get(final) or (rootdir / op.path).read_bytes()
            changes.originals[final] = original
            try:
                changes.writes[final] = run_codemod(changes.writes.get(final, original), op)
            except CodemodError as exc:
                raise EditError(f"{op.id} on {op.path}: {exc}") from exc
    changes.created = tuple(created)
    return changes


def hoist_changes(rootdir: Path, op: Operation, changes: Changes, created: list[str]) -> None:
    """The copies of the fixture deleted, the first one's code at the conftest's end."""
    prepared = prepare(rootdir, op)
    if prepared.hoisted is None:
        raise EditError(f"{op.id}: {prepared.hazards[0]}")
    try:
        for copy in op.copies:
            final = changes.renames.get(copy, copy)
            original = changes.originals.get(final) or (rootdir / copy).read_bytes()
            changes.originals[final] = original
            changes.writes[final] = without_fixture(changes.writes.get(final, original), op.name)
        conftest = changes.renames.get(op.path, op.path)  # it may go with its modules
        if (rootdir / op.path).is_file():
            original = changes.originals.get(conftest) or (rootdir / op.path).read_bytes()
            changes.originals[conftest] = original
        else:
            original = b""
            if conftest not in created:
                created.append(conftest)
        current = changes.writes.get(conftest, original)
        first_party = first_party_of(rootdir)
        changes.writes[conftest] = with_fixture(current, prepared.hoisted, op.name, first_party)
    except HoistError as exc:
        raise EditError(f"{op.id}: {exc}") from exc


def split_changes(
    rootdir: Path, op: Operation, moves: Moves, changes: Changes, created: list[str]
) -> None:
    """The parts of a split module: the main part takes the module's place (a rename),
    the others are new files."""
    from auditor.migrate.split import Part, part_bytes, top_name

    original = (rootdir / op.path).read_bytes()
    names: dict[str, set[str]] = {}
    for old, new in op.nodeids:
        names.setdefault(new.partition("::")[0], set()).add(top_name(old))
    parts = [
        Part(tier, target, marker, frozenset(names.get(target, ())))
        for (tier, target), marker in zip(op.parts, op.markers, strict=True)
    ]
    for part in parts:
        data = part_bytes(original, op.path, part, parts, moves)
        if part.target == op.target:
            if op.target != op.path:
                changes.renames[op.path] = op.target
            changes.originals[part.target] = original
        elif part.target not in created:
            created.append(part.target)
        changes.writes[part.target] = data
    for init in op.creates:
        if init not in created:
            created.append(init)
            changes.writes[init] = b""
