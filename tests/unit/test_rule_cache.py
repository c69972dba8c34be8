"""Rule results cached per file: the same findings with and without the cache, a warm run
evaluates no per-file rule, an edit re-runs the rules on what it can change, and a cache
file that is not ours is a miss."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from auditor.api import Rule
from auditor.config import load_config
from auditor.lint.registry import all_rules
from auditor.model.build import BuildOptions
from auditor.pipeline import ScanResult, scan
from auditor.types import Finding

SAMPLES = Path(__file__).parents[1] / "samples"
SAMPLE_NAMES = sorted(p.name for p in SAMPLES.iterdir() if p.is_dir())


def run_scan(path: Path, cache_dir: Path | None) -> ScanResult:
    config = load_config([path], invocation_dir=path)
    build = BuildOptions(use_cache=cache_dir is not None, cache_dir=cache_dir)
    return scan(config, [path], rules=all_rules(), build=build, invocation_dir=path)


def findings(result: ScanResult) -> tuple[Finding, ...]:
    return result.lint.findings


def forget_scans(cache_dir: Path) -> None:
    """Drop the stored whole scans, so that the next scan runs (through the rule cache)."""
    for stored in cache_dir.glob("v*/scan-*.json"):
        stored.unlink()


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_same_findings_with_and_without_the_cache(name, tmp_path):
    path = SAMPLES / name
    cache_dir = tmp_path / "cache"
    fresh = run_scan(path, None)
    cold = run_scan(path, cache_dir)
    warm = run_scan(path, cache_dir)
    assert findings(cold) == findings(fresh)
    assert findings(warm) == findings(fresh)
    assert warm.report == fresh.report
    assert warm.cached, "a scan with nothing changed is read back whole"
    assert warm.lint.evaluated == 0
    forget_scans(cache_dir)
    rerun = run_scan(path, cache_dir)
    assert not rerun.cached
    assert rerun.report == fresh.report
    assert rerun.lint.evaluated == 0, "a warm scan with nothing changed runs no per-file rule"
    assert rerun.lint.reused > 0


def per_file_runs(result: ScanResult) -> int:
    return result.lint.evaluated


def test_edits_are_seen_and_rerun_only_what_they_can_change(shop, tmp_path):
    cache_dir = tmp_path / "cache"
    cold = run_scan(shop, cache_dir)
    assert cold.lint.evaluated > 0
    tests = sorted((shop / "tests").rglob("test_*.py"))
    assert len(tests) >= 2
    edited = tests[0]
    edited.write_text(edited.read_text() + "\n\ndef test_added_by_the_edit():\n    pass\n")
    after_test_edit = run_scan(shop, cache_dir)
    assert findings(after_test_edit) == findings(run_scan(shop, None))
    assert 0 < after_test_edit.lint.evaluated < cold.lint.evaluated

    conftests = sorted(shop.rglob("conftest.py"))
    assert conftests
    root_conftest = conftests[0]
    root_conftest.write_text(root_conftest.read_text() + "\n# touched\n")
    after_conftest_edit = run_scan(shop, cache_dir)
    assert findings(after_conftest_edit) == findings(run_scan(shop, None))
    assert after_conftest_edit.lint.evaluated > 0
    assert run_scan(shop, cache_dir).lint.evaluated == 0


def test_a_conftest_edit_reruns_file_rules_only_under_it(shop, tmp_path):
    """A conftest in a sub-folder: the per-file rules that read only a file's
    neighbourhood re-run on the files under it, not on the others."""
    cache_dir = tmp_path / "cache"
    (shop / "tests" / "other").mkdir()
    (shop / "tests" / "other" / "conftest.py").write_text(
        "import pytest\n\n@pytest.fixture\ndef local_thing():\n    return 1\n"
    )
    (shop / "tests" / "other" / "test_other.py").write_text(
        "def test_other(local_thing):\n    assert local_thing == 1\n"
    )
    run_scan(shop, cache_dir)
    file_scoped = [r for r in all_rules() if r.cache_scope == "file"]
    assert file_scoped
    ran: set[str] = set()

    def recording(rule: type[Rule]) -> Callable[..., Iterable[Finding]]:
        original = rule.check_file

        def check_file(self, file):
            ran.add(file.path)
            return original(self, file)

        return check_file

    conftest = shop / "tests" / "other" / "conftest.py"
    conftest.write_text(conftest.read_text() + "\n# edited\n")
    with pytest.MonkeyPatch.context() as patch:
        for rule in file_scoped:
            patch.setattr(rule, "check_file", recording(rule))
        result = run_scan(shop, cache_dir)
    assert findings(result) == findings(run_scan(shop, None))
    assert ran == {"tests/other/conftest.py", "tests/other/test_other.py"}


@pytest.mark.parametrize(
    "content",
    [
        b"\x80\x04\x95garbage pickle",
        b'{"format": 1, "version": "0", "files": {}, "suite": {}}',
        b"[1, 2, 3]",
    ],
)
def test_a_planted_or_foreign_cache_file_is_a_miss(shop, tmp_path, content):
    cache_dir = tmp_path / "cache"
    expected = findings(run_scan(shop, cache_dir))
    [stored] = list(cache_dir.glob("v*/rules-*.json"))
    stored.write_bytes(content)
    forget_scans(cache_dir)
    result = run_scan(shop, cache_dir)
    assert findings(result) == expected
    assert result.lint.evaluated > 0


def test_entries_of_the_wrong_shape_are_misses(shop, tmp_path):
    cache_dir = tmp_path / "cache"
    expected = findings(run_scan(shop, cache_dir))
    [stored] = list(cache_dir.glob("v*/rules-*.json"))
    data = json.loads(stored.read_text())
    for results in data["files"].values():
        for code, (key, *_) in results.items():
            results[code] = [key, [["TA999", "x", "warning", "a.py", "1", 0, "m", None]], []]
    for code, (key, _) in data["suite"].items():
        data["suite"][code] = [key, {"not": "a list"}]
    stored.write_text(json.dumps(data))
    forget_scans(cache_dir)
    result = run_scan(shop, cache_dir)
    assert findings(result) == expected
    assert result.lint.evaluated > 0


def test_an_edit_of_the_code_under_test_reruns_the_rules_that_follow_calls_into_it(tmp_path):
    """TA309 follows a test's call into a project module outside the suite: when that
    module starts writing a file into the project, a scan through the rule cache says so."""
    root = tmp_path / "project"
    (root / "app").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "jobs.py").write_text("def run():\n    return 1\n")
    (root / "tests" / "test_jobs.py").write_text(
        "from app import jobs\n\n\ndef test_run():\n    assert jobs.run()\n"
    )
    cache_dir = tmp_path / "cache"
    assert not [f for f in findings(run_scan(root, cache_dir)) if f.rule == "TA309"]
    (root / "app" / "jobs.py").write_text(
        "from sqlalchemy import create_engine\n\n\n"
        "def run():\n"
        '    engine = create_engine("sqlite:///testing.db")\n'
        "    return engine.connect()\n"
    )
    forget_scans(cache_dir)
    cached = findings(run_scan(root, cache_dir))
    assert cached == findings(run_scan(root, None))
    assert [f.rule for f in cached if f.rule == "TA309"] == ["TA309"]
