"""The suite's files as `ast` trees, each parsed once and walked once.

The rules (through `auditor.api.FileView`) and the clone analysis
(`auditor.analysis.clone_units`) read the same files as `ast` trees. `ParsedFiles` parses
a file the first time any of them asks and hands every later caller the same
`ParsedFile`; a `ParsedFile` walks its tree once, on first use, and indexes every node by
type and by parent, so a question such as "every assert of the file" or "every import"
is a lookup, not another walk of the module.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TypeVar, cast

from auditor.parse.source import UnreadableSource, decode

__all__ = ["N", "ParsedFile", "ParsedFiles"]

N = TypeVar("N", bound=ast.AST)


class ParsedFile:
    """One file's text and tree, with its nodes indexed by one walk (done on first use)."""

    def __init__(self, text: str, tree: ast.Module) -> None:
        self.text = text
        self.tree = tree
        self._walked: _Walked | None = None

    def nodes(self, *kinds: type[ast.AST]) -> list[ast.AST]:
        """Every node of the given types, in `ast.walk` order (breadth first)."""
        walked = self._walk()
        if len(kinds) == 1:
            return walked.index.get(kinds[0], [])
        wanted = set(kinds)
        return [node for node in walked.order if type(node) in wanted]

    def of_type(self, kind: type[N]) -> list[N]:
        """Every node of one type (exactly that type), in `ast.walk` order."""
        return cast("list[N]", self._walk().index.get(kind, []))

    def def_at(self, line: int) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        """The def (at any depth) whose ``def`` keyword is on `line`, as a summary's
        `Function.line` names it."""
        defs: list[ast.FunctionDef | ast.AsyncFunctionDef] = [
            *self.of_type(ast.FunctionDef),
            *self.of_type(ast.AsyncFunctionDef),
        ]
        return next((node for node in defs if node.lineno == line), None)

    def parent(self, node: ast.AST) -> ast.AST | None:
        """The node that holds `node` (None for the module and for foreign nodes)."""
        return self._walk().parents.get(node)

    def parents_by_id(self) -> dict[int, ast.AST]:
        """id(node) -> the node that holds it, for every node of the file."""
        walked = self._walk()
        if walked.by_id is None:
            walked.by_id = {id(child): parent for child, parent in walked.parents.items()}
        return walked.by_id

    def _walk(self) -> _Walked:
        if self._walked is None:
            self._walked = _Walked(self.tree)
        return self._walked


class _Walked:
    """All nodes of a tree in `ast.walk` order, by type, and each node's parent: one pass."""

    __slots__ = ("by_id", "index", "order", "parents")

    def __init__(self, tree: ast.AST) -> None:
        # `ast.iter_child_nodes` written out, the order list doubling as the queue: the
        # same order and parents in about half the time (the first rule to ask pays it
        # for every file of a cold scan)
        order: list[ast.AST] = [tree]
        parents: dict[ast.AST, ast.AST] = {}
        index: dict[type[ast.AST], list[ast.AST]] = {}
        append = order.append
        position = 0
        while position < len(order):
            node = order[position]
            position += 1
            same = index.get(type(node))
            if same is None:
                index[type(node)] = [node]
            else:
                same.append(node)
            for field in node._fields:
                value = getattr(node, field, None)
                if isinstance(value, list):
                    for item in value:
                        if isinstance(item, ast.AST):
                            parents[item] = node
                            append(item)
                elif isinstance(value, ast.AST):
                    parents[value] = node
                    append(value)
        self.order = order
        self.parents = parents
        self.index = index
        self.by_id: dict[int, ast.AST] | None = None


class ParsedFiles:
    """Files under one rootdir, parsed on first request and kept for the run."""

    def __init__(self, rootdir: Path) -> None:
        self.rootdir = rootdir
        self._files: dict[str, ParsedFile | None] = {}

    def get(self, path: str) -> ParsedFile | None:
        """The file at `path` (relative to the rootdir), or None when it cannot be read,
        decoded or parsed (those files are findings of TA100 already)."""
        if path not in self._files:
            self._files[path] = self._parse(path)
        return self._files[path]

    def already(self, path: str) -> ParsedFile | None:
        """The file at `path` when some caller has parsed it already; None when none has
        (nothing is parsed here) or it could not be parsed."""
        return self._files.get(path)

    def _parse(self, path: str) -> ParsedFile | None:
        try:
            source = decode((self.rootdir / path).read_bytes())
            tree = ast.parse(source.text)
        except (OSError, UnreadableSource, SyntaxError, ValueError, RecursionError):
            return None
        return ParsedFile(source.text, tree)
