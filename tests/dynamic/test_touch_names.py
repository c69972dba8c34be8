"""Which code's names count as what a test reads: the user's, wherever it lives."""

from __future__ import annotations

from pathlib import Path
from types import CodeType

import auditor
from auditor.dynamic.plugin.touch import names_of


def test_a_project_in_a_folder_named_like_us_is_the_users_and_our_code_is_not():
    source = "def read():\n    return RATE_LIMIT\n"
    theirs = compile(source, "/home/ci/.cache/test-auditor-bench/suite/app/limits.py", "exec")
    ours = compile(source, str(Path(auditor.__file__).parent / "dynamic" / "x.py"), "exec")
    assert "RATE_LIMIT" in names_of(_functions(theirs))
    assert names_of(_functions(ours)) == []


def _functions(module_code: CodeType) -> list[CodeType]:
    return [const for const in module_code.co_consts if isinstance(const, CodeType)]
