"""A module's own import name, which a move changes (``tests.test_x`` ->
``tests.unit.test_x``), baked into what its tests expect: a string that spells it
(``"<tests.test_make.C object at 0x"``, an expected code filename) or a value built from
``obj.__module__`` (a pickle payload whose length byte counts the old name). Nothing the
rewrite can prove the same afterwards: the move is held back with the line named.

A whole-string dotted name (``mock.patch("tests.test_x.thing")``) is the rewrite's, not
this: it is rewritten for the move.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator, Sequence

SHOWN = 3
DOTTED = re.compile(r"[A-Za-z_][\w.]*")


def changed_names(old: Iterable[str], new: Iterable[str]) -> list[str]:
    """The dotted names of the module before a move (``old``) that it does not have after
    it (``new``), longest first; plain names (``test_x``) are left out: a word in prose."""
    after = set(new)
    return sorted((n for n in old if "." in n and n not in after), key=lambda n: -len(n))


def _pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    alternatives = "|".join(re.escape(n) for n in names)
    if not alternatives:
        return None
    return re.compile(rf"(?<![\w.])(?:{alternatives})(?!\w)")


def _strings(tree: ast.Module) -> Iterator[tuple[str, int]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
            value = node.value
            text = value if isinstance(value, str) else value.decode("latin-1")
            yield text, node.lineno


def _compared(tree: ast.Module) -> set[int]:
    """ids of the ``__module__`` reads that are operands of a comparison."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            found.update(id(o) for o in (node.left, *node.comparators))
    return found


def own_name_uses(tree: ast.Module, names: Sequence[str]) -> list[str]:
    """Why the module's tests may depend on the import name it loses (``names``, from
    :func:`changed_names`): strings containing one (not as the whole string) and
    ``x.__module__`` read other than to compare it."""
    found = []
    pattern = _pattern(names)
    if pattern is None:
        return []
    spelled: dict[int, str] = {}
    for text, line in _strings(tree):
        match = None if DOTTED.fullmatch(text) else pattern.search(text)
        if match is not None:
            spelled.setdefault(line, match.group(0))
    if spelled:
        lines = sorted(spelled)
        shown = ", ".join(map(str, lines[:SHOWN])) + (", ..." if len(lines) > SHOWN else "")
        found.append(
            f"spells its own import name `{spelled[lines[0]]}` inside a string "
            f"(line {shown}), which the move changes"
        )
    compared = _compared(tree)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "__module__"
            and isinstance(node.ctx, ast.Load)
            and id(node) not in compared
        ):
            found.append(
                f"reads `__module__` (line {node.lineno}): a value made from the module's "
                "import name, which the move changes"
            )
    return found
