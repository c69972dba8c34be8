"""Third-party rules registered through the `test_auditor.rules` entry point group:
listed, run by `check`, tested with the same example harness, and a crashing rule
ends the run with exit code 2 without losing the other findings."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from auditor.lint.registry import rules_in
from auditor.testing import case_ids, check_example, example_cases
from tests.e2e.helpers import run_process, write_suite

PLUGIN = '''\
"""Acme's house rules for test-auditor."""

import ast

from auditor.api import Invalid, Rule, Severity, Valid


class PrintInTest(Rule):
    """
    ## What it does
    Finds `print()` calls in tests.

    ## Why is this bad?
    Output is captured and lost; assert instead.

    ## Example
    ```python
    def test_a():
        print(1)
    ```
    Use instead:
    ```python
    def test_a():
        assert 1
    ```
    """

    code = "ACME001"
    name = "print-in-test"
    category = "acme"
    severity = Severity.WARNING
    VALID = (Valid("def test_a():\\n    assert 1\\n"), Valid("print(1)\\n"))
    INVALID = (
        Invalid("def test_a():\\n    print(1)\\n", at=("test_example.py:2:5",), message="print"),
        Invalid("class TestA:\\n    def test_b(self):\\n        print(2)\\n",
                at=("test_example.py:3:9",)),
    )

    def check_file(self, file):
        for function in file.of_kind("test"):
            for node in ast.walk(function.node):
                if isinstance(node, ast.Call) and file.qualified(node.func) == "print":
                    yield self.at(file, node, "`print` in a test: assert instead")


class Crashes(Rule):
    """
    ## What it does
    Crashes.
    """

    code = "ACME002"
    name = "crashes"
    category = "acme"

    def check_file(self, file):
        raise RuntimeError("boom")
'''


@pytest.fixture
def site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    write_suite(
        site,
        {
            "acme_rules.py": PLUGIN,
            "acme_rules-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: acme-rules\n"
            "Version: 1.0\n",
            "acme_rules-1.0.dist-info/entry_points.txt": "[test_auditor.rules]\n"
            "acme = acme_rules\n",
        },
    )
    return site


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    return write_suite(
        tmp_path / "suite",
        {"pytest.ini": "[pytest]\n", "test_a.py": "def test_a():\n    print('hi')\n"},
    )


def test_plugin_rules_are_listed_and_run(site: Path, suite: Path) -> None:
    env = {"PYTHONPATH": str(site)}
    listed = run_process("rules", cwd=suite, env=env)
    assert "ACME001  print-in-test" in listed.out
    result = run_process("check", "--no-cache", "--select", "ACME001", cwd=suite, env=env)
    assert result.code == 1
    assert result.out.startswith("test_a.py:2:5: ACME001 `print` in a test")


def test_a_crashing_rule_exits_two_and_keeps_other_findings(site: Path, suite: Path) -> None:
    result = run_process(
        "check", "--no-cache", "--select", "ACME", cwd=suite, env={"PYTHONPATH": str(site)}
    )
    assert result.code == 2
    assert "rule ACME002 failed on test_a.py: RuntimeError('boom')" in result.err
    assert "ACME001" in result.out


def test_plugin_examples_run_with_the_same_harness(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(site))
    import acme_rules  # type: ignore[import-not-found]

    rules = [r for r in rules_in(acme_rules) if r.code == "ACME001"]
    cases = example_cases(rules)
    assert case_ids(cases) == [
        "ACME001-VALID-0",
        "ACME001-VALID-1",
        "ACME001-INVALID-0",
        "ACME001-INVALID-1",
    ]
    for index, (rule, case) in enumerate(cases):
        check_example(rule, case, tmp_path / f"case{index}")
    sys.modules.pop("acme_rules", None)
