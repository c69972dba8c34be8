"""Dotted names and imports in the standard library's `ast` trees, qualified through
imports (``mock.patch`` -> ``unittest.mock.patch``). No libcst here: `check` and the
rules read `ast` trees without paying libcst's import."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping


def import_aliases(nodes: Iterable[ast.AST]) -> dict[str, str]:
    """Local name -> qualified name for every absolute import among `nodes`."""
    names: dict[str, str] = {}
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    head = alias.name.partition(".")[0]
                    names[head] = head
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                if alias.name != "*":
                    names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def dotted(node: ast.AST) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def qualify(name: str, aliases: Mapping[str, str]) -> str:
    """Replace the first part of a dotted name by what it was imported as."""
    head, _, rest = name.partition(".")
    base = aliases.get(head)
    if base is None:
        return name
    return f"{base}.{rest}" if rest else base
