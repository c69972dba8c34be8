"""Running a rule's VALID / INVALID examples as tests; third-party rule packages use
the same functions:

    CASES = example_cases(my_rules)

    @pytest.mark.parametrize(("rule", "case"), CASES, ids=case_ids(CASES))
    def test_example(rule, case, tmp_path):
        check_example(rule, case, tmp_path)
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from auditor.api import FileContent, Invalid, Rule, Symlink, Valid
from auditor.config import CONFIG_NAMES, load_config
from auditor.lint.fixes import plan_fixes, write_all
from auditor.model.build import BuildOptions
from auditor.pipeline import analyse
from auditor.types import Finding

Case = Valid | Invalid


def example_cases(rules: Sequence[type[Rule]]) -> list[tuple[type[Rule], Case]]:
    cases: list[tuple[type[Rule], Case]] = []
    for rule in rules:
        cases.extend((rule, case) for case in rule.VALID)
        cases.extend((rule, case) for case in rule.INVALID)
    return cases


def case_ids(cases: Sequence[tuple[type[Rule], Case]]) -> list[str]:
    ids: list[str] = []
    for rule, case in cases:
        group = rule.VALID if isinstance(case, Valid) else rule.INVALID
        kind = "VALID" if isinstance(case, Valid) else "INVALID"
        index = next(i for i, c in enumerate(group) if c is case)
        ids.append(f"{rule.code}-{kind}-{index}")
    return ids


def write_tree(root: Path, files: Mapping[str, FileContent]) -> None:
    """Write an example's files under `root` (and an empty pytest.ini when the example
    brings no config, so the rootdir is `root`)."""
    for name, content in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Symlink):
            os.symlink(content.target, target)
        elif isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    if not any(Path(name).name in CONFIG_NAMES for name in files):
        (root / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")


def run_rule(rule: type[Rule], root: Path) -> list[Finding]:
    """The findings of one rule over the suite rooted at `root`."""
    config = load_config([], invocation_dir=root)
    analysis = analyse(config, build=BuildOptions(use_cache=False), invocation_dir=root)
    result = analysis.lint([rule])
    if result.errors:
        error = result.errors[0]
        raise AssertionError(f"{rule.code} crashed on {error.path}:\n{error.traceback}")
    return list(result.findings)


def location(finding: Finding) -> str:
    """ "path:line:col" as the text output prints it (columns from 1)."""
    return f"{finding.path}:{finding.line}:{finding.col + 1}"


def check_example(rule: type[Rule], case: Case, root: Path) -> None:
    """Assert what the example promises; raise AssertionError otherwise."""
    write_tree(root, case.tree())
    findings = run_rule(rule, root)
    shown = "\n".join(f"{location(f)}: {f.rule} {f.message}" for f in findings)
    if isinstance(case, Valid):
        assert not findings, f"VALID example flagged:\n{shown}"
        return
    assert findings, "INVALID example not flagged"
    if case.at:
        assert sorted(location(f) for f in findings) == sorted(case.at), (
            f"expected findings at {sorted(case.at)}, got:\n{shown}"
        )
    if case.message:
        assert case.message in findings[0].message, f"message {case.message!r} not in:\n{shown}"
    if not case.fixed:
        fixable = [f for f in findings if f.fixable]
        assert not fixable, f"fixable findings need an example of the fixed output:\n{shown}"
        return
    plan = plan_fixes(root, findings, unsafe=True)
    assert not plan.skipped, f"fixes skipped: {plan.skipped}"
    write_all(root, plan.changes)
    for name, expected in case.fixed.items():
        actual = (root / name).read_text(encoding="utf-8")
        assert actual == expected, f"{name} after fixing:\n{actual}\nexpected:\n{expected}"
    again = run_rule(rule, root)
    assert not again, "findings remain after fixing:\n" + "\n".join(
        f"{location(f)}: {f.message}" for f in again
    )
