"""Per-file rule results stay right when what they read lives in another file: the code
under test beside the suite (the project key), and the facts of the whole suite a
file-scoped rule records as questions (`auditor.lint.answers`). Each test also shows the
stale result a key without that part would give. And an edit of one test module re-runs
`check_file` on its neighbourhood only (a count, never a time)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from auditor.api import Rule
from auditor.config import load_config
from auditor.lint import answers, rule_cache
from auditor.lint.registry import all_rules
from auditor.model.build import BuildOptions
from auditor.pipeline import ScanResult, analyse, scan
from auditor.types import Finding


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def scan_tests(root: Path, cache_dir: Path | None) -> ScanResult:
    """`test-auditor scan tests` from `root`: the project's code is not part of the suite."""
    target = root / "tests"
    config = load_config([target], invocation_dir=root)
    build = BuildOptions(use_cache=cache_dir is not None, cache_dir=cache_dir)
    return scan(config, [target], rules=all_rules(), build=build, invocation_dir=root)


def forget_scans(cache_dir: Path) -> None:
    for stored in cache_dir.glob("v*/scan-*.json"):
        stored.unlink()


def found(result: ScanResult, code: str) -> list[str]:
    return [f"{f.path}:{f.line}:{f.col}" for f in result.lint.findings if f.rule == code]


def rescan(root: Path, cache_dir: Path) -> ScanResult:
    forget_scans(cache_dir)
    return scan_tests(root, cache_dir)


PROJECT_HELPER = {
    "app/__init__.py": "",
    "app/tools.py": "def run_it():\n    return 1\n",
    "tests/test_tools.py": "from app.tools import run_it\n\n\ndef test_run():\n    run_it()\n",
}


@pytest.mark.parametrize("narrow", [False, True], ids=["project-key", "without-it"])
def test_an_edit_of_project_code_reruns_a_file_rule_that_follows_calls_into_it(
    tmp_path, monkeypatch, narrow
):
    """TA107 follows the test's call into `app/tools.py`, outside the scanned suite: when
    the helper starts asserting, the test checks something."""
    root = tmp_path / "project"
    write(root, PROJECT_HELPER)
    cache_dir = tmp_path / "cache"
    if narrow:  # what a key without the code beside the suite would give
        monkeypatch.setattr(rule_cache.RuleCache, "project_key", lambda self: "")
    assert found(scan_tests(root, cache_dir), "TA107") == ["tests/test_tools.py:4:0"]
    write(root, {"app/tools.py": "def run_it():\n    assert 1 + 1 == 2\n"})
    if narrow:  # stale
        assert found(rescan(root, cache_dir), "TA107") == ["tests/test_tools.py:4:0"]
        return
    assert found(rescan(root, cache_dir), "TA107") == []
    assert found(scan_tests(root, None), "TA107") == []


OWNED = {
    "docs_src/__init__.py": "",
    "docs_src/tutorial001.py": "engine = None\n\ndef main():\n    return engine\n",
    "tests/test_a.py": "def test_a():\n    from docs_src import tutorial001 as mod\n"
    "    mod.engine = object()\n    assert mod.main()\n",
    "tests/test_b.py": "def test_b():\n    assert True\n",
}
READS_THE_ENGINE = (
    "from docs_src import tutorial001\n\n\ndef test_b():\n    assert tutorial001.main() is None\n"
)

MENTIONED = {
    "tests/__init__.py": "",
    "tests/test_a.py": "def check_total():\n    assert 1 + 1 == 2\n\n\n"
    "def test_a():\n    assert True\n",
    "tests/test_b.py": "from tests.test_a import check_total\n\n\n"
    "def test_b():\n    check_total()\n",
}


@pytest.mark.parametrize(
    ("code", "files", "edit", "expected"),
    [
        # TA302: test_a's write is reported once another module's test reads the engine
        ("TA302", OWNED, {"tests/test_b.py": READS_THE_ENGINE}, ["tests/test_a.py:3:4"]),
        # TA108: check_total is a lost test once no other file of the suite names it
        (
            "TA108",
            MENTIONED,
            {"tests/test_b.py": "def test_b():\n    assert True\n"},
            ["tests/test_a.py:1:0"],
        ),
    ],
    ids=["TA302-owned", "TA108-mentioned"],
)
@pytest.mark.parametrize("narrow", [False, True], ids=["answers-checked", "without-them"])
def test_an_edit_elsewhere_changes_the_answer_a_file_rule_recorded(
    tmp_path, monkeypatch, code, files, edit, expected, narrow
):
    """The edited module is outside the other's neighbourhood: only the recorded
    question (does the suite own the attribute, does another file name the function)
    sees the change."""
    root = tmp_path / "project"
    write(root, files)
    cache_dir = tmp_path / "cache"
    assert found(scan_tests(root, cache_dir), code) == []
    write(root, edit)
    if narrow:  # what the file key alone would give: stale
        monkeypatch.setattr(answers, "still_hold", lambda *args: True)
        assert found(rescan(root, cache_dir), code) == []
        return
    fresh = found(scan_tests(root, None), code)
    assert [f.rsplit(":", 1)[0] for f in fresh] == [e.rsplit(":", 1)[0] for e in expected]
    assert found(rescan(root, cache_dir), code) == fresh


def recording(rule: type[Rule], ran: set[tuple[str, str]]) -> Callable[..., Iterable[Finding]]:
    original = rule.check_file

    def check_file(self: Rule, file) -> Iterable[Finding]:  # type: ignore[no-untyped-def]
        ran.add((rule.code, file.path))
        return original(self, file)

    return check_file


def test_a_code_edit_of_one_test_module_reruns_file_rules_on_its_neighbourhood_only(shop, tmp_path):
    """Every rule with a `check_file` is file-scoped, and a one-line code edit of a test
    module runs them again on that module and the files whose neighbourhood holds it."""
    per_file = [r for r in all_rules() if r.check_file is not Rule.check_file]
    assert all(r.cache_scope == "file" for r in per_file)
    cache_dir = tmp_path / "cache"
    config = load_config([shop], invocation_dir=shop)
    build = BuildOptions(use_cache=True, cache_dir=cache_dir)
    scan(config, [shop], rules=all_rules(), build=build, invocation_dir=shop)
    edited = sorted((shop / "tests").rglob("test_*.py"))[-1]
    edited.write_text(edited.read_text() + "\n\nEDITED = 1\n")
    relative = edited.relative_to(shop).as_posix()
    analysis = analyse(config, [shop], build=build, invocation_dir=shop)
    cache = rule_cache.RuleCache(cache_dir, analysis.view, all_rules())
    modules = sorted(analysis.suite.modules)
    neighbours = {p for p in modules if p == relative or relative in cache.neighbourhood(p)}
    assert len(neighbours) < len(modules) / 2
    ran: set[tuple[str, str]] = set()
    with pytest.MonkeyPatch.context() as patch:
        for rule in per_file:
            patch.setattr(rule, "check_file", recording(rule, ran))
        result = scan(config, [shop], rules=all_rules(), build=build, invocation_dir=shop)
    assert {path for _, path in ran} <= neighbours
    assert relative in {path for _, path in ran}
    assert result.lint.evaluated == len(ran) <= len(per_file) * len(neighbours)
    unchanged = scan(config, [shop], rules=all_rules(), build=BuildOptions(use_cache=False))
    assert result.lint.findings == unchanged.lint.findings


def test_recorded_questions_of_the_wrong_shape_are_misses(tmp_path):
    root = tmp_path / "project"
    write(root, MENTIONED)
    cache_dir = tmp_path / "cache"
    expected = scan_tests(root, cache_dir).lint.findings
    [stored] = list(cache_dir.glob("v*/rules-*.json"))
    data = json.loads(stored.read_text())
    for results in data["files"].values():
        for entry in results.values():
            entry[2] = [["a question", {"not": "an answer"}]]
    stored.write_text(json.dumps(data))
    result = rescan(root, cache_dir)
    assert result.lint.findings == expected
    assert result.lint.evaluated > 0


def test_an_edit_beside_the_code_that_no_rule_reads_reruns_no_file_rule(tmp_path):
    """Per-file rules read other files only as Python source: a README is not in their
    keys (the suite-wide rules, keyed on every file of the project, run again)."""
    root = tmp_path / "project"
    write(root, PROJECT_HELPER)
    cache_dir = tmp_path / "cache"
    expected = scan_tests(root, cache_dir).lint.findings
    write(root, {"README.md": "# the project\n"})
    result = rescan(root, cache_dir)
    assert result.lint.findings == expected
    assert result.lint.evaluated == 0
