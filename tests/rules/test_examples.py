"""Every rule's VALID and INVALID examples, run as tests: finding locations, messages,
fixed output, and that a fix re-run finds nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.api import Rule
from auditor.lint.registry import builtin_rules
from auditor.testing import Case, case_ids, check_example, example_cases

CASES = example_cases(builtin_rules())


@pytest.mark.parametrize(("rule", "case"), CASES, ids=case_ids(CASES))
def test_example(rule: type[Rule], case: Case, tmp_path: Path) -> None:
    check_example(rule, case, tmp_path)
