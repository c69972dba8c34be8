"""What `migrate plan` parses and runs beyond the suite's own model (issue 15, acceptance 3:
a plan within 1.5x a cold scan): a module with no ``pytestmark`` is not parsed by libcst to
learn that it has no tier marker; the model of the planned tree parses only the files the
plan writes (the others' summaries come from the suite's model, under their new path);
the plan's few rules run without the rule cache."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import libcst as cst
import pytest

import auditor.migrate.plan as plan_module
import auditor.parse.run as parse_run
from auditor.config import load_config
from auditor.lint import rule_cache
from auditor.migrate.edits import Changes, build_changes, has_module_marker
from auditor.migrate.plan import make_plan
from auditor.migrate.proof_cache import unchanged_summaries
from auditor.model.build import BuildOptions
from auditor.parse.summary import ModuleSummary
from tests.unit.migrate_support import ops, plan_of, write_suite

UNIT = (
    "import pytest\n\nfrom tests.helpers import VALUE\n\n\ndef test_one(home):\n    assert VALUE\n"
)
SUITE = {
    "tests/__init__.py": "",
    "tests/conftest.py": "import pytest\n\n\n@pytest.fixture\ndef home():\n    return 1\n",
    "tests/helpers.py": "VALUE = 1\n",
    "tests/test_a.py": UNIT,
    # its first statement shares a line with an import: marked by a parse of it all
    "tests/test_b.py": "import os; VALUE = 1\n\n\ndef test_two(home):\n    assert os and VALUE\n",
    "tests/unit/__init__.py": "",
    "tests/unit/test_c.py": "import pytest\n\npytestmark = pytest.mark.unit\n\n\n"
    "def test_three():\n    pass\n",
}


def test_a_module_without_pytestmark_is_not_parsed_for_its_marker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_parse(source: bytes) -> cst.Module:
        raise AssertionError("parsed")

    monkeypatch.setattr(cst, "parse_module", no_parse)
    assert not has_module_marker(b"import pytest\n\n\ndef test_x():\n    pass\n", "unit")
    assert not has_module_marker(b"pytestmark = pytest.mark.slow\n", "unit")
    with pytest.raises(AssertionError, match="parsed"):
        has_module_marker(b"pytestmark = pytest.mark.unit\n", "unit")


def test_the_marker_check_answers_as_before() -> None:
    assert has_module_marker(b"import pytest\n\npytestmark = [pytest.mark.unit]\n", "unit")
    assert has_module_marker(b"from pytest import mark\npytestmark = mark.unit\n", "unit")
    assert not has_module_marker(b"import pytest\n\npytestmark = pytest.mark.units\n", "unit")
    latin1 = "# -*- coding: latin-1 -*-\nimport pytest\n\nA = 'é'\npytestmark = pytest.mark.unit\n"
    assert has_module_marker(latin1.encode("latin-1"), "unit")


def _counting_parses(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Parses by phase (``analysis``, then ``proof``), every file in this process."""
    monkeypatch.setattr(parse_run, "PARALLEL_THRESHOLD", 10**9)
    parsed: dict[str, list[str]] = {"analysis": [], "proof": []}
    phase = ["analysis"]
    parse_path = parse_run._parse_path
    model_of = plan_module.model_of

    def counted(job: tuple[str, str]) -> tuple[object, str]:
        parsed[phase[0]].append(job[0])
        return parse_path(job)

    def modelled(*args: object, **kwargs: object) -> object:
        phase[0] = "proof"
        return model_of(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(parse_run, "_parse_path", counted)
    monkeypatch.setattr(plan_module, "model_of", modelled)
    return parsed


def test_the_model_of_the_planned_tree_parses_only_what_the_plan_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_suite(tmp_path, SUITE)
    parsed = _counting_parses(monkeypatch)
    plan = plan_of(root)
    assert {op.path for op in plan.applied if op.kind == "move"} >= {
        "tests/test_a.py",
        "tests/test_b.py",
    }
    assert "tests/unit/test_c.py" not in ops(plan, "mark")  # marked already: not written
    assert len(parsed["analysis"]) == len(set(parsed["analysis"]))
    assert {"tests/conftest.py", "tests/unit/test_c.py"} <= set(parsed["analysis"])
    written = build_changes(root, plan).writes
    assert {plan.new_path("tests/test_a.py"), plan.new_path("tests/test_b.py")} <= set(written)
    # the conftest and the module the plan leaves alone are known, test_a.py's new
    # summary comes from its head; test_b.py is parsed again, once
    assert parsed["proof"] == [plan.new_path("tests/test_b.py")]


def test_a_summary_holds_where_the_plan_moves_the_file_without_writing_it() -> None:
    kept = ModuleSummary(path="tests/conftest.py", lines=3)
    moved = ModuleSummary(path="tests/helpers.py", lines=1)
    written = ModuleSummary(path="tests/test_a.py", lines=7)
    replaced = ModuleSummary(path="tests/unit/test_x.py", lines=2)
    changes = Changes(
        renames={
            "tests/helpers.py": "tests/unit/helpers.py",
            "tests/test_a.py": "tests/unit/test_a.py",
            "tests/other.py": "tests/unit/test_x.py",
        },
        writes={"tests/unit/test_a.py": b"pytestmark = 1\n"},
    )
    known = {s.path: s for s in (kept, moved, written, replaced)}
    assert unchanged_summaries(known, changes) == {
        "tests/conftest.py": kept,
        "tests/unit/helpers.py": replace(moved, path="tests/unit/helpers.py"),
    }


def test_the_plan_runs_its_rules_without_the_rule_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_suite(
        tmp_path,
        {
            **SUITE,
            "tests/test_env.py": "import os\n\n\ndef test_env():\n"
            "    os.environ['X'] = '1'\n    assert os.environ['X']\n",
        },
    )

    def no_cache(*args: object, **kwargs: object) -> None:
        raise AssertionError("the rule cache was used")

    monkeypatch.setattr(rule_cache.RuleCache, "__init__", no_cache)
    config = load_config([], invocation_dir=root)
    cached = BuildOptions(use_cache=True, cache_dir=tmp_path / "cache")
    plan = make_plan(config, [], build=cached, invocation_dir=root)
    assert any(op.kind == "codemod" for op in plan.operations)
