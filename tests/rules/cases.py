"""One rule's example checked by code, shared by the rule tests written per real suite."""

from __future__ import annotations

from pathlib import Path

from auditor.api import Invalid, Rule, Valid
from auditor.lint.registry import builtin_rules
from auditor.testing import check_example

RULES: dict[str, type[Rule]] = {rule.code: rule for rule in builtin_rules()}


def check(code: str, case: Valid | Invalid, tmp_path: Path) -> None:
    """`case` checked against the built-in rule `code` (files written under `tmp_path`)."""
    check_example(RULES[code], case, tmp_path)
