"""Leaf types shared by every layer: severities, scopes and findings.

This module imports nothing from the project, so any layer may use it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(str, enum.Enum):
    """How much a finding hurts; ordered from least to most."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


class Scope(str, enum.Enum):
    """pytest's fixture scopes, comparable from narrowest to widest."""

    FUNCTION = "function"
    CLASS = "class"
    MODULE = "module"
    PACKAGE = "package"
    SESSION = "session"

    @property
    def width(self) -> int:
        """0 for function scope up to 4 for session scope."""
        return _SCOPE_WIDTH[self]

    def is_narrower_than(self, other: Scope) -> bool:
        return self.width < other.width


_SCOPE_WIDTH = {
    Scope.FUNCTION: 0,
    Scope.CLASS: 1,
    Scope.MODULE: 2,
    Scope.PACKAGE: 3,
    Scope.SESSION: 4,
}


class Applicability(enum.IntEnum):
    """How safe a fix is to apply, ranked as ruff ranks them.

    SAFE keeps the code's meaning; UNSAFE may change behaviour and needs
    ``--unsafe-fixes``; DISPLAY_ONLY is shown, never applied.
    """

    DISPLAY_ONLY = 0
    UNSAFE = 1
    SAFE = 2


@dataclass(frozen=True, slots=True)
class Fix:
    """A fix as data: a codemod (``"module:Class"``) with keyword options, or only a
    suggestion to display when `codemod` is empty."""

    applicability: Applicability
    title: str
    codemod: str = ""
    options: tuple[tuple[str, str | int], ...] = ()
    path: str = ""

    @property
    def applies(self) -> bool:
        return bool(self.codemod) and self.applicability is not Applicability.DISPLAY_ONLY


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found at one place; `path` is relative to the rootdir and `col`
    counts from 0."""

    rule: str
    name: str
    severity: Severity
    path: str
    line: int
    col: int
    message: str
    fix: Fix | None = None

    @property
    def fixable(self) -> bool:
        return self.fix is not None and self.fix.applies


def percent(share: float) -> str:
    """A share as the report shows it everywhere (findings, terminal, HTML): 0.873 ->
    ``"87%"``, rounded down, so 99.6% alike is not "100%" and a pair is the same number in
    every section."""
    return f"{int(share * 100 + 1e-9)}%"
