"""The catalog's shape (refurb-style meta test): unique codes and names, code families
matching categories, module and class names derived from the rule name, documentation
headings in order with parseable bad/good examples, Fix safety iff fixable, and enough
examples per rule."""

from __future__ import annotations

import ast
import re
from fnmatch import fnmatch
from pathlib import Path

import pytest

from auditor.api import CATEGORIES, Rule
from auditor.lint.registry import builtin_rules

RULES = builtin_rules()
HEADINGS = ("## What it does", "## Why is this bad?", "## Example")
UNPARSEABLE_BAD_EXAMPLE = {"TA100"}  # the bad code of unreadable-file cannot parse
FAMILY = {"structure": "1", "fixtures": "2", "isolation": "3", "timing": "4", "duplicates": "5"}


def test_codes_and_names_are_unique() -> None:
    codes = [r.code for r in RULES]
    names = [r.name for r in RULES]
    assert len(set(codes)) == len(codes)
    assert len(set(names)) == len(names)
    assert len(RULES) >= 25


def module_name(rule_name: str) -> str:
    """A rule's module is its name in snake case, marked ``rule_`` in front or ``_rule``
    behind where pytest's default ``python_files`` (``test_*.py``, ``*_test.py``) would
    otherwise collect it as a test module (``test-without-assertion`` ->
    ``rule_test_without_assertion.py``, ``sleep-in-test`` -> ``sleep_in_test_rule.py``), so
    that `test-auditor check` on this project stays clean."""
    snake = rule_name.replace("-", "_")
    if snake.startswith("test_"):
        snake = f"rule_{snake}"
    if snake.endswith("_test"):
        snake = f"{snake}_rule"
    return snake


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_identity(rule: type[Rule]) -> None:
    assert re.fullmatch(r"TA\d{3}", rule.code)
    assert re.fullmatch(r"[a-z]+(-[a-z]+)+", rule.name)
    assert rule.category in CATEGORIES
    assert rule.code[2] == FAMILY[rule.category], "codes are grouped in hundreds by category"
    module = rule.__module__.rsplit(".", 1)[-1]
    assert module == module_name(rule.name)
    assert not fnmatch(f"{module}.py", "test_*.py")
    assert not fnmatch(f"{module}.py", "*_test.py")
    assert rule.__module__.split(".")[-2] == rule.category
    assert rule.__name__ == "".join(part.title() for part in rule.name.split("-"))


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_documentation(rule: type[Rule]) -> None:
    doc = rule.documentation()
    positions = [doc.find(heading) for heading in HEADINGS]
    assert all(p >= 0 for p in positions), f"missing one of {HEADINGS}"
    assert positions == sorted(positions), "headings out of order"
    example = doc[positions[-1] :].split("\n## ")[0]
    assert "Use instead:" in example
    bad, _, good = example.partition("Use instead:")
    bad_blocks = re.findall(r"```python\n(.*?)```", bad, re.S)
    good_blocks = re.findall(r"```python\n(.*?)```", good, re.S)
    assert bad_blocks, "an Example needs the bad code"
    assert good_blocks, "an Example needs the good code after 'Use instead:'"
    for block in good_blocks:
        ast.parse(block)
    for block in bad_blocks if rule.code not in UNPARSEABLE_BAD_EXAMPLE else ():
        ast.parse(block)
    assert ("## Fix safety" in doc) == rule.fixable(), "Fix safety section iff fixable"
    assert rule.summary(), "What it does needs a first sentence"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_examples(rule: type[Rule]) -> None:
    assert len(rule.VALID) >= 2
    assert len(rule.INVALID) >= 2
    assert all(case.at for case in rule.INVALID), "every INVALID example says where"


def test_rules_import_only_the_rule_api() -> None:
    """Rules see the suite through `auditor.api` alone (and their category's private
    helper modules), so the engine's internals can change under them."""
    rules_dir = Path(__file__).parents[2] / "rules"
    offenders = []
    for module in sorted(rules_dir.rglob("*.py")):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                name = node.module
                if name.startswith("auditor") and not (
                    name == "auditor.api" or name.startswith("auditor.rules.")
                ):
                    offenders.append(f"{module.relative_to(rules_dir)}: {name}")
    assert not offenders


def test_readme_lists_every_rule() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    missing = [r.code for r in RULES if f"| {r.code} | {r.name} |" not in readme]
    assert not missing
