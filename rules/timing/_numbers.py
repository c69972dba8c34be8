"""Number literals, as the timing rules read delays, bounds and timeouts."""

from __future__ import annotations

import ast


def number(node: ast.AST | None) -> float | None:
    """The value of an int or float literal (``5``, ``0.5``; not ``True``), else None."""
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    ):
        return float(node.value)
    return None
