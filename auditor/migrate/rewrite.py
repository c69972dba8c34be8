"""Rewriting a module for the plan's moves (libcst: every other byte stays as it was).

- imports of a moved module by its old name (``from tests.test_x import y``, ``import
  tests.test_x as tx``, ``from tests import test_x``) get its new name;
- strings that name it (``mock.patch("tests.test_x.thing")``) get the new name;
- relative imports of a module that moved, or in a module that moved, are computed again
  from the new places (``from .helpers import x`` -> ``from ..api.helpers import x``);
- in a module that moves, paths relative to its own file (``Path(__file__).parent``,
  ``.parents[1]``, ``os.path.dirname(__file__)``) are rewritten to the same folder from
  the new depth.

What cannot be rewritten so that it surely means the same is a hazard (a sentence with the
line), and the module's move is held back.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from auditor.migrate.file_paths import dotted, os_chain, path_chain
from auditor.migrate.names import Moves


class RewriteError(ValueError):
    """The module cannot be parsed."""


@dataclass
class Rewritten:
    data: bytes
    hazards: list[tuple[str, str]] = field(default_factory=list)
    """(hazard, the moved module it holds back: its old path)."""
    what: list[str] = field(default_factory=list)
    """What was rewritten (for the plan's evidence)."""


def _renamed_alias(alias: cst.ImportAlias, new: str) -> cst.ImportAlias:
    """``alias`` importing ``new`` instead, bound to the name it bound before."""
    old = dotted(alias.name) or ""
    if new == old:
        return alias
    asname = alias.asname or cst.AsName(name=cst.Name(old))
    return alias.with_changes(name=cst.Name(new), asname=asname)


def _name_node(name: str) -> cst.Attribute | cst.Name:
    expression = cst.parse_expression(name)
    assert isinstance(expression, cst.Attribute | cst.Name)
    return expression


class _Transformer(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, module: cst.Module, path: str, moves: Moves, *, lines: bool) -> None:
        super().__init__()
        self.lines = lines
        """Whether positions were computed (hazards then name their line)."""
        self.module = module
        self.old = PurePosixPath(path)
        self.new = PurePosixPath(moves.new_path(path))
        self.moves = moves
        self.renamed = moves.renamed
        self.moved = self.old != self.new
        self.hazards: list[tuple[str, str]] = []
        self.what: list[str] = []
        self.handled: set[cst.CSTNode] = set()
        self.others_files: set[cst.Name] = set()
        """The ``__file__`` of ``module.__file__``: another module's file, not this one's."""

    def _line(self, node: cst.CSTNode) -> int:
        return self.get_metadata(PositionProvider, node).start.line if self.lines else 0

    def _hazard(self, node: cst.CSTNode, text: str, name: str = "") -> None:
        """``text`` as a hazard of the move of the module ``name`` is in (or this
        module's)."""
        culprit = (self.moves.path_of(name) if name else None) or str(self.old)
        self.hazards.append((f"{text} (line {self._line(node)})", culprit))

    def _new_name(self, name: str) -> str | None:
        """``name`` (a module or something inside one) with a moved module's new name."""
        for old, new in self.renamed.items():
            if name == old or name.startswith(old + "."):
                return new + name[len(old) :]
        return None

    def _stale(self, node: cst.CSTNode, name: str) -> None:
        for old, why in self.moves.root_changes.items():
            if name == old or name.startswith(old + "."):
                self._hazard(node, f"names `{name}`, which cannot follow the move: {why}", name)

    # -- imports ---------------------------------------------------------------------------

    def leave_Import(self, original: cst.Import, updated: cst.Import) -> cst.Import:
        names = []
        for alias in updated.names:
            name = dotted(alias.name) or ""
            new = self._new_name(name)
            if new is None:
                self._stale(original, name)
                names.append(alias)
            elif alias.asname is None:
                why = f"`import {name}` binds the old name: cannot rename it"
                self._hazard(original, why, name)
                names.append(alias)
            else:
                self.what.append(f"import {name} -> {new}")
                names.append(alias.with_changes(name=_name_node(new)))
        return updated.with_changes(names=names)

    def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom) -> cst.ImportFrom:
        if updated.relative:
            return self._relative(original, updated)
        module = dotted(updated.module) or ""
        new = self._new_name(module)
        if new is not None:
            self.what.append(f"from {module} -> from {new}")
            return updated.with_changes(module=_name_node(new))
        self._stale(original, module)
        if isinstance(updated.names, cst.ImportStar):
            return updated
        targets = set()
        moved_names = []
        for alias in updated.names:
            full = f"{module}.{dotted(alias.name)}"
            moved = self._new_name(full)
            self._stale(original, full)
            targets.add(moved.rpartition(".")[0] if moved else module)
            if moved:
                moved_names.append(full)
        if not moved_names:
            return updated
        if len(targets) > 1:
            for full in moved_names:
                why = f"`from {module} import ...` names moved and kept modules"
                self._hazard(original, why, full)
            return updated
        (parent,) = targets
        aliases = []
        for alias in updated.names:
            moved = self._new_name(f"{module}.{dotted(alias.name)}")
            last = moved.rpartition(".")[2] if moved else ""
            aliases.append(_renamed_alias(alias, last) if last else alias)
        self.what.append(f"from {module} import {', '.join(moved_names)} -> from {parent}")
        return updated.with_changes(module=_name_node(parent), names=aliases)

    def _relative(self, original: cst.ImportFrom, updated: cst.ImportFrom) -> cst.ImportFrom:
        level = len(updated.relative)
        folder = self.old.parent
        for _ in range(level - 1):
            folder = folder.parent
        module = dotted(updated.module) or ""
        base = folder.joinpath(*module.split(".")) if module else folder
        names = [] if isinstance(updated.names, cst.ImportStar) else list(updated.names)
        subs = {i: f"{base / (dotted(a.name) or '')}.py" for i, a in enumerate(names)}
        gone = self.moves.moves
        moved_subs = {i: PurePosixPath(gone[s]) for i, s in subs.items() if s in gone}
        if moved_subs:
            return self._relative_modules(original, updated, names, moved_subs, base)
        as_module = f"{base}.py"
        target = PurePosixPath(self.moves.new_path(as_module)) if module else base
        if module and as_module not in self.moves.moves and not self.moves.exists_after(as_module):
            target = base  # a package, which does not move
        elif module:
            target = target.with_suffix("")
        if not self.moved and target == base:
            return updated
        relative = self._relative_name(target)
        if relative is None:
            moved = as_module in self.moves.moves
            self._hazard(
                original,
                f"relative import `{'.' * level}{module}` cannot reach {base} from {self.new}",
                self.moves.module_name(as_module, after=False) if moved else "",
            )
            return updated
        dots, name = relative
        if (dots, name) == (level, module):
            return updated
        self.what.append(f"from {'.' * level}{module} -> from {'.' * dots}{name}")
        return updated.with_changes(
            relative=[cst.Dot() for _ in range(dots)],
            module=_name_node(name) if name else None,
        )

    def _relative_modules(
        self,
        original: cst.ImportFrom,
        updated: cst.ImportFrom,
        names: list[cst.ImportAlias],
        moved: dict[int, PurePosixPath],
        base: PurePosixPath,
    ) -> cst.ImportFrom:
        """``from . import a, b`` where some of the modules moved: one new package for
        all of them, reached from the module's new place; a renamed module keeps its
        binding (``import helpers as test_helpers``)."""
        level = len(updated.relative)
        folders = {path.parent for path in moved.values()}
        if len(moved) < len(names):
            folders.add(base)
        relative = self._relative_name(folders.pop()) if len(folders) == 1 else None
        if relative is None or updated.module is not None:
            first = f"{base / (dotted(names[min(moved)].name) or '')}.py"
            self._hazard(
                original,
                f"`from {'.' * level} import` modules that end up in other packages",
                self.moves.module_name(first, after=False),
            )
            return updated
        dots, name = relative
        aliases = [
            _renamed_alias(alias, moved[i].stem) if i in moved else alias
            for i, alias in enumerate(names)
        ]
        self.what.append(f"from {'.' * level} import -> from {'.' * dots}{name} import")
        return updated.with_changes(
            relative=[cst.Dot() for _ in range(dots)],
            module=_name_node(name) if name else None,
            names=aliases,
        )

    def _relative_name(self, target: PurePosixPath) -> tuple[int, str] | None:
        """(dots, dotted name) of ``target`` (a module without ``.py``, or a package
        folder) relative to the package of the module's new place; None when a folder on
        the way is not a package."""
        here = self.new.parent
        ancestors = [here, *here.parents]
        common = next((a for a in ancestors if a == target or a in target.parents), None)
        if common is None:
            return None
        dots = ancestors.index(common) + 1
        if not all(self.moves.has_init_after(folder) for folder in ancestors[:dots]):
            return None
        below = target.relative_to(common).parts
        for index in range(1, len(below)):
            if not self.moves.has_init_after(common.joinpath(*below[:index])):
                return None
        return dots, ".".join(below)

    # -- strings ---------------------------------------------------------------------------

    def leave_SimpleString(
        self, original: cst.SimpleString, updated: cst.SimpleString
    ) -> cst.SimpleString:
        value = original.evaluated_value
        if not isinstance(value, str) or "." not in value:
            return updated
        match = next(
            (
                (old, new)
                for old, new in self.renamed.items()
                if value == old or value.startswith(old + ".")
            ),
            None,
        )
        if match is None:  # a dotted name whose import root changes (not a file name)
            for old, why in self.moves.root_changes.items():
                if "." in old and (value == old or value.startswith(old + ".")):
                    self._hazard(original, f"names `{value}`, which cannot follow: {why}", old)
            return updated
        old, new = match
        quoted = updated.value
        start = len(updated.prefix) + len(updated.quote)
        if not quoted[start:].startswith(old):
            self._hazard(original, f"the string {value!r} names a moved module", value)
            return updated
        self.what.append(f"{value!r} -> {new + value[len(old) :]!r}")
        return updated.with_changes(value=quoted[:start] + new + quoted[start + len(old) :])

    # -- paths relative to the module --------------------------------------------------------

    def _anchor_code(self, levels: int) -> tuple[int, tuple[str, ...]]:
        """The folder ``levels`` up from the old file, as (levels up from the new file,
        folders down from there)."""
        parents = list(self.old.parents)
        new_parents = list(self.new.parents)
        if levels > len(parents):  # above the rootdir: as many more above it
            return len(new_parents) + levels - len(parents), ()
        anchor = parents[levels - 1]
        for up, folder in enumerate(new_parents, start=1):
            if folder == anchor or folder in anchor.parents:
                return up, anchor.relative_to(folder).parts
        raise AssertionError("the rootdir is a parent of both")  # pragma: no cover

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        if node.attr.value == "__file__" and dotted(node.value):
            self.others_files.add(node.attr)  # `alembic.__file__`: where the move is not
        return self._visit_path(node)

    def visit_Subscript(self, node: cst.Subscript) -> bool:
        return self._visit_path(node)

    def visit_Call(self, node: cst.Call) -> bool:
        if self.moved and os_chain(node) is not None:
            self.handled.add(node)
            return False
        return True

    def _visit_path(self, node: cst.Attribute | cst.Subscript) -> bool:
        if self.moved and path_chain(node) is not None:
            self.handled.add(node)
            return False
        return True

    def leave_Attribute(
        self, original: cst.Attribute, updated: cst.Attribute
    ) -> cst.BaseExpression:
        return self._leave_path(original, updated)

    def leave_Subscript(
        self, original: cst.Subscript, updated: cst.Subscript
    ) -> cst.BaseExpression:
        return self._leave_path(original, updated)

    def _leave_path(
        self, original: cst.Attribute | cst.Subscript, updated: cst.BaseExpression
    ) -> cst.BaseExpression:
        if original not in self.handled:
            return updated
        chain = path_chain(original)
        assert chain is not None
        base, levels = chain
        up, down = self._anchor_code(levels)
        code = self.module.code_for_node(base)
        code += ".parent" if up == 1 else f".parents[{up - 1}]"
        if down:
            code = "(" + " / ".join([code, *(f'"{part}"' for part in down)]) + ")"
        self.what.append(f"`{self.module.code_for_node(original)}` -> `{code}`")
        return cst.parse_expression(code)

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if original not in self.handled:
            return updated
        chain = os_chain(original)
        assert chain is not None
        inner, dirname, levels = chain
        up, down = self._anchor_code(levels)
        code = self.module.code_for_node(inner)
        for _ in range(up):
            code = f"{dirname}({code})"
        if down:
            join = dirname.rpartition(".")[0] + ".join" if "." in dirname else "os.path.join"
            code = f"{join}({code}, " + ", ".join(f'"{part}"' for part in down) + ")"
        self.what.append(f"`{self.module.code_for_node(original)}` -> `{code}`")
        return cst.parse_expression(code)

    def visit_Name(self, node: cst.Name) -> None:
        if self.moved and node.value == "__file__" and node not in self.others_files:
            self._hazard(node, "uses `__file__` in a way that is not rewritten")


CACHED = 4096
_cache: dict[tuple[bytes, str, object], Rewritten] = {}


def rewrite_module(source: bytes, path: str, moves: Moves) -> Rewritten:
    """``source`` (the module at ``path`` before the plan) rewritten for ``moves``.

    Positions (costly in libcst) are computed only when there is a hazard to name; the
    result is kept for the same bytes and moves (planning asks again in every round)."""
    key = (hashlib.sha256(source).digest(), path, moves.key)
    if key not in _cache:
        if len(_cache) >= CACHED:
            _cache.clear()
        _cache[key] = _rewrite(source, path, moves)
    return _cache[key]


def _rewrite(source: bytes, path: str, moves: Moves) -> Rewritten:
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        raise RewriteError(f"{path}: cannot parse the module: {exc.message}") from exc
    transformer = _Transformer(module, path, moves, lines=False)
    edited = module.visit(transformer)
    if transformer.hazards:  # again, with the lines to name
        transformer = _Transformer(module, path, moves, lines=True)
        edited = MetadataWrapper(module, unsafe_skip_copy=True).visit(transformer)
    data = edited.bytes if transformer.what else source
    return Rewritten(data, list(dict.fromkeys(transformer.hazards)), transformer.what)


DOTTED = re.compile(rb"[A-Za-z_][A-Za-z0-9_.]*")


def dotted_words(source: bytes) -> frozenset[bytes]:
    """Every dotted name in ``source`` and each of its leading parts (``a.b.c``: ``a``,
    ``a.b``, ``a.b.c``), for :func:`needs_rewrite`."""
    found: set[bytes] = set()
    for word in set(DOTTED.findall(source)):
        parts = word.rstrip(b".").split(b".")
        found.update(b".".join(parts[: i + 1]) for i in range(len(parts)))
    return frozenset(found)


def needs_rewrite(
    source: bytes, path: str, moves: Moves, words: frozenset[bytes] | None = None
) -> bool:
    """Whether ``path`` may need a rewrite: it names a moved module, imports relatively
    while something moves, or moves and uses ``__file__`` (a cheap test on the bytes,
    before any parsing; ``words``: its :func:`dotted_words`, when known)."""
    if moves.new_path(path) != path and b"__file__" in source:
        return True
    if moves.moves and b"from ." in source:
        return True
    known = words if words is not None else dotted_words(source)
    names: Sequence[str] = [*moves.renamed, *moves.root_changes]
    return any(name.encode() in known for name in names)
