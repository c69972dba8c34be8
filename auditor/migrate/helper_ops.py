"""Helper modules and classes pytest mistakes for tests: ``rename`` a helper module whose
name pytest collects but which defines no test (TA102: ``test_helpers.py`` ->
``helpers.py``; every import of it is rewritten, :mod:`auditor.migrate.rewrites`), and
``notest``: ``__test__ = False`` on a helper class named like a test class (TA103)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import PurePosixPath

import libcst as cst
from libcst.codemod import CodemodContext, SkipFile

from auditor.lint.codemods.add_test_false import AddTestFalse
from auditor.migrate.lint_rules import findings_of
from auditor.migrate.plan_file import Operation
from auditor.pipeline import Analysis

RULES = ("TA102", "TA103")
NEW_NAME = re.compile(r"rename it to `([^`/]+\.py)`")
TEST_FALSE = "auditor.lint.codemods.add_test_false:AddTestFalse"


class NotATestError(ValueError):
    """``__test__ = False`` cannot be added (the message says why)."""


def helper_operations(analysis: Analysis, wanted: Callable[[str], bool]) -> list[Operation]:
    """The ``rename`` and ``notest`` operations for the files ``wanted`` accepts."""
    findings = sorted(findings_of(analysis, RULES), key=lambda f: (f.rule, f.path, f.line, f.col))
    renames: list[Operation] = []
    classes: list[Operation] = []
    for finding in findings:
        if not wanted(finding.path):
            continue
        evidence = (f"{finding.rule}: {finding.message}",)
        if finding.rule == "TA102":
            match = NEW_NAME.search(finding.message)
            if match is None:
                continue
            target = str(PurePosixPath(finding.path).with_name(match.group(1)))
            renames.append(
                Operation(
                    id=f"rename-{len(renames) + 1:03d}",
                    kind="rename",
                    path=finding.path,
                    target=target,
                    evidence=evidence,
                )
            )
        elif finding.fix is not None and finding.fix.codemod == TEST_FALSE:
            name = str(dict(finding.fix.options).get("cls", ""))
            classes.append(
                Operation(
                    id=f"notest-{len(classes) + 1:03d}",
                    kind="notest",
                    path=finding.path,
                    name=name,
                    evidence=evidence,
                )
            )
    return [*renames, *classes]


def not_a_test(source: bytes, qualname: str) -> bytes:
    """``source`` with ``__test__ = False`` in the class ``qualname``; every other byte
    as it was."""
    try:
        module = cst.parse_module(source)
        codemod = AddTestFalse(CodemodContext(), cls=qualname)
        return codemod.transform_module(module).bytes
    except cst.ParserSyntaxError as exc:
        raise NotATestError(f"cannot parse the module: {exc.message}") from exc
    except SkipFile as exc:
        raise NotATestError(f"cannot add `__test__ = False` to {qualname}: {exc}") from exc
