"""The findings of a few of `check`'s rules that the plan turns into operations (TA102,
TA103: :mod:`auditor.migrate.helper_ops`; TA301, TA211: :mod:`auditor.migrate.codemods`).

They run without the rule cache (:mod:`auditor.lint.rule_cache`): its key for a file
covers the suite files it imports, transitively, which on a suite whose test modules
import the whole project (sympy) costs more than the four rules themselves, and a
plan's selection of rules is not a scan's, so a scan's cached results are not shared.
"""

from __future__ import annotations

from collections.abc import Collection

from auditor.lint.engine import run_rules
from auditor.lint.registry import builtin_rules
from auditor.pipeline import Analysis
from auditor.types import Finding


def findings_of(analysis: Analysis, codes: Collection[str]) -> tuple[Finding, ...]:
    """The findings of the built-in rules ``codes`` on the whole suite."""
    rules = [rule for rule in builtin_rules() if rule.code in codes]
    return run_rules(analysis.view, rules, settings=analysis.config.auditor).findings
