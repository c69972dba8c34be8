"""The lint engine: rule selection, per-file ignores, `# noqa`, severities, baselines,
fingerprints, fail-on, and rules that crash."""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from auditor.analysis.resolution import resolve
from auditor.api import FileView, Rule, SuiteView
from auditor.config import AuditorSettings, load_config
from auditor.lint.engine import (
    Baseline,
    RunResult,
    SelectionError,
    fails,
    fingerprints,
    make_baseline,
    run_rules,
    select_rules,
)
from auditor.model.build import BuildOptions, build_suite
from auditor.testing import write_tree
from auditor.types import Finding, Severity


class FlagTests(Rule):
    """Flags every test at its def line (from the model)."""

    code = "XT101"
    name = "flag-tests"
    category = "structure"

    def check(self, suite: SuiteView) -> Iterator[Finding]:
        for test in suite.suite.tests:
            yield self.finding(test.path, test.line, 0, f"test {test.name}")


class FlagFiles(Rule):
    """Flags every file's first line (from the file's code), twice."""

    code = "XT102"
    name = "flag-files"
    category = "structure"
    severity = Severity.INFO

    def check_file(self, file: FileView) -> Iterator[Finding]:
        yield self.at(file, file.tree.body[0], "first statement")
        yield self.at(file, file.tree.body[0], "first statement")  # a duplicate


class FlagFixtures(Rule):
    code = "XT201"
    name = "flag-fixtures"
    category = "fixtures"
    severity = Severity.ERROR

    def check(self, suite: SuiteView) -> Iterator[Finding]:
        for definition in suite.suite.fixtures:
            if definition.path == "conftest.py":
                yield self.finding(definition.path, definition.line, 0, "a fixture")


class CrashesOnFiles(Rule):
    code = "XT301"
    name = "crashes-on-files"
    category = "isolation"

    def check_file(self, file: FileView) -> Iterable[Finding]:
        raise RuntimeError(f"boom in {file.path}")


class CrashesOnSuite(Rule):
    code = "XT302"
    name = "crashes-on-suite"
    category = "isolation"

    def check(self, suite: SuiteView) -> Iterable[Finding]:
        raise ValueError("suite boom")


class WholeSuite(Rule):
    code = "XT401"
    name = "whole-suite"
    category = "timing"
    whole_suite = True

    def check(self, suite: SuiteView) -> Iterator[Finding]:
        yield self.finding("test_a.py", 1, 0, "needs every test")


RULES: list[type[Rule]] = [
    FlagTests,
    FlagFiles,
    FlagFixtures,
    CrashesOnFiles,
    CrashesOnSuite,
    WholeSuite,
]

TEST_A = """\
def test_one():
    pass


def test_two():  # noqa: XT101
    pass


def test_three():  # NOQA
    pass


def test_four():  # noqa: XT999, XT201
    pass
"""

CONFTEST = """\
import pytest


@pytest.fixture
def thing():
    pass
"""


def view_of(tmp_path: Path, files: dict[str, str], *, partial: bool = False) -> SuiteView:
    write_tree(tmp_path, files)
    config = load_config([tmp_path], invocation_dir=tmp_path)
    suite = build_suite(
        config, [tmp_path], invocation_dir=tmp_path, options=BuildOptions(use_cache=False)
    )
    return SuiteView(suite, resolve(suite), config, partial=partial)


def run(
    view: SuiteView,
    rules: list[type[Rule]],
    settings: AuditorSettings | None = None,
    *,
    report_paths: frozenset[str] | None = None,
    baseline: Baseline | None = None,
) -> RunResult:
    return run_rules(
        view,
        rules,
        settings=settings or AuditorSettings(),
        report_paths=report_paths,
        baseline=baseline,
    )


def where(result: RunResult) -> list[tuple[str, str, int]]:
    return [(f.rule, f.path, f.line) for f in result.findings]


# -- selection ------------------------------------------------------------------------


def codes(rules: Iterable[type[Rule]]) -> list[str]:
    return [r.code for r in rules]


def test_select_by_code_prefix_name_and_category() -> None:
    assert codes(select_rules(RULES, select=["XT101"])) == ["XT101"]
    assert codes(select_rules(RULES, select=["XT1"])) == ["XT101", "XT102"]
    assert codes(select_rules(RULES, select=["xt30"])) == ["XT301", "XT302"]  # any case
    assert codes(select_rules(RULES, select=["flag-fixtures"])) == ["XT201"]
    assert codes(select_rules(RULES, select=["isolation"])) == ["XT301", "XT302"]
    assert codes(select_rules(RULES, select=["XT101", "timing"])) == ["XT101", "XT401"]


def test_select_defaults_to_every_rule_and_all_means_all() -> None:
    assert select_rules(RULES) == RULES
    assert select_rules(RULES, select=["ALL"]) == RULES


def test_extend_select_adds_and_ignore_wins() -> None:
    chosen = select_rules(RULES, select=["XT1"], extend_select=["XT201"])
    assert codes(chosen) == ["XT101", "XT102", "XT201"]
    assert codes(select_rules(RULES, select=["XT1"], ignore=["flag-files"])) == ["XT101"]
    assert codes(select_rules(RULES, select=["XT101"], ignore=["XT1"])) == []
    assert codes(select_rules(RULES, ignore=["XT3", "XT4"])) == ["XT101", "XT102", "XT201"]


@pytest.mark.parametrize(
    "kwargs",
    [{"select": ["XT9"]}, {"extend_select": ["nope"]}, {"ignore": ["Structures"]}],
    ids=["select", "extend-select", "ignore"],
)
def test_a_token_that_names_no_rule_is_an_error(kwargs: dict[str, list[str]]) -> None:
    with pytest.raises(SelectionError, match="matches no rule"):
        select_rules(RULES, **kwargs)


@pytest.mark.parametrize("token", ["", "  "], ids=["empty", "blank"])
@pytest.mark.parametrize("option", ["select", "extend_select", "ignore"])
def test_an_empty_token_is_an_error_not_a_prefix_of_every_code(option: str, token: str) -> None:
    with pytest.raises(SelectionError, match="empty rule selector"):
        select_rules(RULES, **{option: [token]})


def test_names_and_categories_match_in_any_case_as_codes_do() -> None:
    assert codes(select_rules(RULES, select=["Flag-Fixtures"])) == ["XT201"]
    assert codes(select_rules(RULES, select=["ISOLATION"])) == ["XT301", "XT302"]
    assert codes(select_rules(RULES, ignore=["Structure", " TIMING "])) == [
        "XT201",
        "XT301",
        "XT302",
    ]
    assert codes(select_rules(RULES, select=["all"])) == codes(RULES)


# -- running --------------------------------------------------------------------------


def test_findings_sorted_and_deduplicated(tmp_path: Path) -> None:
    view = view_of(tmp_path, {"test_b.py": "def test_b():\n    pass\n", "test_a.py": TEST_A})
    result = run(view, [FlagFiles, FlagTests])
    assert where(result) == [
        ("XT101", "test_a.py", 1),  # test_one
        ("XT102", "test_a.py", 1),
        # test_two and test_three are suppressed by their noqa comments
        ("XT101", "test_a.py", 13),  # test_four: its comment names other codes
        ("XT101", "test_b.py", 1),
        ("XT102", "test_b.py", 1),
    ]
    assert result.suppressed == 2
    assert result.errors == ()


def test_noqa_codes_are_per_rule(tmp_path: Path) -> None:
    view = view_of(tmp_path, {"test_a.py": TEST_A})
    result = run(view, [FlagTests])
    assert [f.line for f in result.findings] == [1, 13]
    assert result.suppressed == 2


def test_file_level_noqa(tmp_path: Path) -> None:
    view = view_of(
        tmp_path,
        {
            "test_a.py": "# test-auditor: noqa: XT102\ndef test_a():\n    pass\n",
            "test_b.py": "# test-auditor: noqa\ndef test_b():\n    pass\n",
            "test_c.py": "def test_c():\n    pass\n",
        },
    )
    result = run(view, [FlagTests, FlagFiles])
    assert where(result) == [
        ("XT101", "test_a.py", 2),
        ("XT101", "test_c.py", 1),
        ("XT102", "test_c.py", 1),
    ]


def test_per_file_ignores(tmp_path: Path) -> None:
    view = view_of(
        tmp_path,
        {
            "legacy/test_old.py": "def test_old():\n    pass\n",
            "test_new.py": "def test_new():\n    pass\n",
        },
    )
    settings = AuditorSettings(per_file_ignores=(("legacy/*", ("xt1",)),))
    result = run(view, [FlagTests, FlagFiles], settings)
    assert where(result) == [("XT101", "test_new.py", 1), ("XT102", "test_new.py", 1)]
    assert result.suppressed == 2
    everything = AuditorSettings(per_file_ignores=(("test_*.py", ("ALL",)),))
    assert where(run(view, [FlagTests], everything)) == [("XT101", "legacy/test_old.py", 1)]


def test_severity_overrides_by_code_or_category(tmp_path: Path) -> None:
    view = view_of(tmp_path, {"conftest.py": CONFTEST, "test_a.py": "def test_a(thing): pass\n"})
    settings = AuditorSettings(severity=(("XT101", "error"), ("fixtures", "info")))
    result = run(view, [FlagTests, FlagFixtures, FlagFiles], settings)
    levels = {f.rule: f.severity for f in result.findings}
    assert levels == {"XT101": Severity.ERROR, "XT201": Severity.INFO, "XT102": Severity.INFO}


def test_report_paths_limit_the_findings(tmp_path: Path) -> None:
    view = view_of(
        tmp_path,
        {"test_a.py": "def test_a():\n    pass\n", "test_b.py": "def test_b():\n    pass\n"},
    )
    result = run(view, [FlagTests, FlagFiles], report_paths=frozenset({"test_b.py"}))
    assert where(result) == [("XT101", "test_b.py", 1), ("XT102", "test_b.py", 1)]


def test_whole_suite_rules_are_skipped_on_a_partial_view(tmp_path: Path) -> None:
    files = {"test_a.py": "def test_a():\n    pass\n"}
    assert where(run(view_of(tmp_path, files), [WholeSuite])) == [("XT401", "test_a.py", 1)]
    assert run(view_of(tmp_path, files, partial=True), [WholeSuite]).findings == ()


def test_a_crashing_rule_is_an_error_and_the_others_still_report(tmp_path: Path) -> None:
    view = view_of(
        tmp_path,
        {"test_a.py": "def test_a():\n    pass\n", "test_b.py": "def test_b():\n    pass\n"},
    )
    result = run(view, [CrashesOnSuite, FlagTests, CrashesOnFiles])
    assert where(result) == [("XT101", "test_a.py", 1), ("XT101", "test_b.py", 1)]
    assert [(e.rule, e.path, e.message) for e in result.errors] == [
        ("XT302", "", "ValueError('suite boom')"),
        ("XT301", "test_a.py", "RuntimeError('boom in test_a.py')"),
        ("XT301", "test_b.py", "RuntimeError('boom in test_b.py')"),
    ]
    assert "Traceback" in result.errors[0].traceback
    assert "suite boom" in result.errors[0].traceback


def test_the_garbage_collector_is_restored(tmp_path: Path) -> None:
    view = view_of(tmp_path, {"test_a.py": "def test_a():\n    pass\n"})
    assert gc.isenabled()
    run(view, [CrashesOnFiles, FlagTests])
    assert gc.isenabled()
    gc.disable()
    try:
        run(view, [FlagTests])
        assert not gc.isenabled()
    finally:
        gc.enable()


# -- baselines and fingerprints -------------------------------------------------------


def test_fingerprints_ignore_line_numbers_and_whitespace() -> None:
    finding = Finding("XT101", "flag-tests", Severity.WARNING, "test_a.py", 3, 0, "m")
    moved = Finding("XT101", "flag-tests", Severity.WARNING, "test_a.py", 30, 4, "other")
    same = Baseline.fingerprint(finding, "def test_a():")
    assert Baseline.fingerprint(moved, "   def   test_a():  ") == same
    assert Baseline.fingerprint(finding, "def test_b():") != same
    other_rule = Finding("XT102", "flag-files", Severity.INFO, "test_a.py", 3, 0, "m")
    assert Baseline.fingerprint(other_rule, "def test_a():") != same
    other_path = Finding("XT101", "flag-tests", Severity.WARNING, "test_b.py", 3, 0, "m")
    assert Baseline.fingerprint(other_path, "def test_a():") != same


def test_fingerprints_of_findings_read_their_lines(tmp_path: Path) -> None:
    view = view_of(
        tmp_path,
        {"test_a.py": "def test_a():\n    pass\n", "test_b.py": "\n\n\ndef test_a():\n    pass\n"},
    )
    result = run(view, [FlagTests])
    prints = fingerprints(result.findings, view)
    first, second = result.findings
    assert prints[first] == Baseline.fingerprint(first, "def test_a():")
    assert prints[first] != prints[second]  # another path


def test_baseline_hides_recorded_findings_even_when_lines_move(tmp_path: Path) -> None:
    before = "def test_a():\n    pass\n\n\ndef test_b():\n    pass\n"
    view = view_of(tmp_path, {"test_a.py": before})
    recorded = make_baseline(run(view, [FlagTests]).findings, view)
    path = tmp_path / "baseline.json"
    path.write_text(recorded.render(), encoding="utf-8")
    baseline = Baseline.read(path)
    assert baseline.counts == recorded.counts
    assert sum(baseline.counts.values()) == 2

    after = "import os\n\n\ndef test_new():\n    pass\n\n\n" + before
    (tmp_path / "test_a.py").write_text(after, encoding="utf-8")
    moved = view_of(tmp_path, {})
    result = run(moved, [FlagTests], baseline=baseline)
    assert [f.message for f in result.findings] == ["test test_new"]
    assert result.baselined == 2


def test_a_baseline_counts_identical_lines(tmp_path: Path) -> None:
    view = view_of(
        tmp_path,
        {"test_a.py": "class TestA:\n    def test_x(self):\n        pass\n"},
    )
    baseline = make_baseline(run(view, [FlagTests]).findings, view)
    (tmp_path / "test_a.py").write_text(
        "class TestA:\n    def test_x(self):\n        pass\n\n"
        "class TestB:\n    def test_x(self):\n        pass\n",
        encoding="utf-8",
    )
    result = run(view_of(tmp_path, {}), [FlagTests], baseline=baseline)
    # the same code twice: one was recorded, the second is new
    assert [(f.line, f.message) for f in result.findings] == [(6, "test test_x")]
    assert result.baselined == 1


def test_baseline_render_is_sorted_json() -> None:
    text = Baseline(Counter({"b": 1, "a": 2})).render()
    assert text == '{\n  "version": 1,\n  "fingerprints": {\n    "a": 2,\n    "b": 1\n  }\n}\n'


@pytest.mark.parametrize(
    "content", ["not json", '{"version": 1}', '{"fingerprints": {"a": "x"}}', "[]"]
)
def test_a_broken_baseline_file_is_a_selection_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SelectionError, match="not a test-auditor baseline"):
        Baseline.read(path)


def test_a_missing_baseline_file_is_a_selection_error(tmp_path: Path) -> None:
    with pytest.raises(SelectionError, match="not a test-auditor baseline"):
        Baseline.read(tmp_path / "missing.json")


# -- fail-on --------------------------------------------------------------------------


def finding_at(severity: Severity) -> Finding:
    return Finding("XT101", "flag-tests", severity, "test_a.py", 1, 0, "m")


@pytest.mark.parametrize(
    ("severities", "fail_on", "expected"),
    [
        ([], "info", False),
        ([Severity.INFO], "info", True),
        ([Severity.INFO], "warning", False),
        ([Severity.INFO, Severity.WARNING], "warning", True),
        ([Severity.WARNING], "error", False),
        ([Severity.ERROR], "warning", True),
        ([Severity.ERROR], "error", True),
    ],
)
def test_fails_at_or_above_the_threshold(
    severities: list[Severity], fail_on: str, expected: bool
) -> None:
    assert fails([finding_at(s) for s in severities], fail_on) is expected


def test_fail_on_must_be_a_severity() -> None:
    with pytest.raises(ValueError, match="'fatal' is not a valid Severity"):
        fails([finding_at(Severity.ERROR)], "fatal")
