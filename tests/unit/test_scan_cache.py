"""Whole scans cached (`auditor.report.scan_cache`): a scan with nothing changed reads its
report back and does no work (counts, not times: no parse, no rule, no classifier or clone
pass), prints the same JSON as a scan without the cache, and any change of an input is a
miss."""

from __future__ import annotations

import ast
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import libcst
import pytest

from auditor.analysis import duplicates, tiers
from auditor.api import Rule
from auditor.config import load_config
from auditor.lint import engine
from auditor.lint.registry import all_rules
from auditor.model.build import BuildOptions
from auditor.pipeline import ScanResult, scan
from auditor.report import scan_cache
from auditor.report.json_report import render_json
from auditor.report.report_codec import Malformed, decode_report, encode_report

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
SAMPLE_NAMES = sorted(p.name for p in SAMPLES.iterdir() if p.is_dir())


def run_scan(
    path: Path, cache_dir: Path | None, rules: list[type[Rule]] | None = None
) -> ScanResult:
    config = load_config([path], invocation_dir=path)
    build = BuildOptions(use_cache=cache_dir is not None, cache_dir=cache_dir)
    chosen = all_rules() if rules is None else rules
    return scan(config, [path], rules=chosen, build=build, invocation_dir=path)


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Counts of the work a scan does: parses, rule calls, classifier and clone passes."""
    done: Counter[str] = Counter()
    parse, parse_module = ast.parse, libcst.parse_module
    classify, find_duplicates = tiers.TierClassifier.classify, duplicates.find_duplicates
    run_rules = engine._run_rules

    def counting(name: str, function: Any) -> Any:
        def counted(*args: Any, **kwargs: Any) -> Any:
            done[name] += 1
            return function(*args, **kwargs)

        return counted

    monkeypatch.setattr(ast, "parse", counting("ast.parse", parse))
    monkeypatch.setattr(libcst, "parse_module", counting("libcst.parse_module", parse_module))
    monkeypatch.setattr(tiers.TierClassifier, "classify", counting("classify", classify))
    monkeypatch.setattr(duplicates, "find_duplicates", counting("duplicates", find_duplicates))
    monkeypatch.setattr(engine, "_run_rules", counting("rules", run_rules))
    return done


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_a_warm_scan_prints_the_same_json_and_does_no_work(name, tmp_path, work):
    path = SAMPLES / name
    cache_dir = tmp_path / "cache"
    fresh = run_scan(path, None)
    cold = run_scan(path, cache_dir)
    assert not cold.cached
    assert work["rules"] == 2, "the scans without a stored one ran the rules"
    assert work["classify"] == 2
    work.clear()
    warm = run_scan(path, cache_dir)
    assert warm.cached
    assert dict(work) == {}, "a scan with nothing changed parses nothing and runs nothing"
    assert warm.lint.evaluated == 0
    assert warm.lint.findings == fresh.lint.findings
    assert warm.report == fresh.report
    assert render_json(warm.report) == render_json(fresh.report) == render_json(cold.report)


def test_the_analysis_of_a_cached_scan_is_built_when_asked_for(shop, tmp_path):
    cache_dir = tmp_path / "cache"
    cold = run_scan(shop, cache_dir)
    warm = run_scan(shop, cache_dir)
    assert warm.cached
    assert warm.analysis.graph.to_json() == cold.analysis.graph.to_json()


def test_an_edit_is_a_miss_and_is_seen(shop, tmp_path, work):
    cache_dir = tmp_path / "cache"
    run_scan(shop, cache_dir)
    edited = sorted((shop / "tests").rglob("test_*.py"))[0]
    edited.write_text(edited.read_text() + "\n\ndef test_added_by_the_edit():\n    pass\n")
    after = run_scan(shop, cache_dir)
    assert not after.cached
    assert any(t.nodeid.endswith("::test_added_by_the_edit") for t in after.report.tests)
    assert after.report == run_scan(shop, None).report
    assert run_scan(shop, cache_dir).cached


def touch(path: Path) -> None:
    """A later mtime, the same bytes."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))


def test_a_touch_with_the_same_content_is_a_hit_and_renews_the_stamp(
    shop, tmp_path, work, monkeypatch
):
    """Only the mtime changed (`touch`, a branch checked out and back): the stored scan is
    still the scan of these bytes. The touched file is hashed once; the next scan does
    not read it again."""
    cache_dir = tmp_path / "cache"
    before = run_scan(shop, cache_dir)
    touched = sorted((shop / "tests").rglob("test_*.py"))[0]
    conftest = shop / "tests" / "conftest.py"
    touch(touched)
    touch(conftest)
    hashed: list[str] = []
    digest = scan_cache._content_digest

    def counting(path: str) -> str | None:
        hashed.append(Path(path).name)
        return digest(path)

    monkeypatch.setattr(scan_cache, "_content_digest", counting)
    work.clear()
    after = run_scan(shop, cache_dir)
    assert after.cached
    assert dict(work) == {}
    assert sorted(hashed) == sorted([touched.name, conftest.name])
    assert after.report == before.report
    hashed.clear()
    assert run_scan(shop, cache_dir).cached
    assert hashed == [], "the renewed stamps match: nothing is read again"


def test_storing_after_an_edit_hashes_only_the_edited_file(shop, tmp_path, monkeypatch):
    """The digests of files that kept their size and mtime come from the stored scan."""
    cache_dir = tmp_path / "cache"
    run_scan(shop, cache_dir)
    edited = sorted((shop / "tests").rglob("test_*.py"))[0]
    edited.write_text(edited.read_text() + "\n# edited\n")
    hashed: list[str] = []
    digest = scan_cache._content_digest

    def counting(path: str) -> str | None:
        hashed.append(Path(path).name)
        return digest(path)

    monkeypatch.setattr(scan_cache, "_content_digest", counting)
    assert not run_scan(shop, cache_dir).cached
    assert hashed == [edited.name]
    assert run_scan(shop, cache_dir).cached


def test_a_same_size_edit_with_a_new_mtime_is_a_miss(shop, tmp_path):
    cache_dir = tmp_path / "cache"
    run_scan(shop, cache_dir)
    edited = sorted((shop / "tests").rglob("test_*.py"))[0]
    text = edited.read_text()
    assert "def test_" in text
    edited.write_text(text.replace("def test_", "def tset_", 1))
    touch(edited)
    after = run_scan(shop, cache_dir)
    assert not after.cached
    assert after.report == run_scan(shop, None).report


def test_a_touched_file_too_large_to_hash_is_a_miss(shop, tmp_path, monkeypatch):
    monkeypatch.setattr(scan_cache, "HASHED_SIZE", 0)
    cache_dir = tmp_path / "cache"
    before = run_scan(shop, cache_dir)
    touch(sorted((shop / "tests").rglob("test_*.py"))[0])
    after = run_scan(shop, cache_dir)
    assert not after.cached
    assert after.report == before.report


@pytest.mark.parametrize(
    "change",
    ["new file", "other rules", "other config"],
)
def test_other_inputs_are_misses(shop, tmp_path, change):
    cache_dir = tmp_path / "cache"
    run_scan(shop, cache_dir)
    rules = None
    if change == "new file":
        (shop / "tests" / "test_new.py").write_text("def test_new():\n    assert 1\n")
    elif change == "other rules":
        rules = [r for r in all_rules() if r.code != "TA201"]
    else:
        (shop / "pytest.ini").write_text("[pytest]\npython_functions = check_*\n")
    assert not run_scan(shop, cache_dir, rules).cached
    assert run_scan(shop, cache_dir, rules).cached


@pytest.mark.parametrize(
    "content",
    [b"\x80\x04\x95garbage pickle", b"[1, 2, 3]", b'{"format": 1, "version": "0.1.0"}'],
)
def test_a_planted_or_foreign_scan_cache_is_a_miss(shop, tmp_path, content):
    cache_dir = tmp_path / "cache"
    expected = run_scan(shop, cache_dir).report
    [stored] = list(cache_dir.glob("v*/scan-*.json"))
    stored.write_bytes(content)
    result = run_scan(shop, cache_dir)
    assert not result.cached
    assert result.report == expected


def test_a_stored_report_of_the_wrong_shape_is_a_miss(shop, tmp_path):
    cache_dir = tmp_path / "cache"
    expected = run_scan(shop, cache_dir).report
    [stored] = list(cache_dir.glob("v*/scan-*.json"))
    data = json.loads(stored.read_text())
    for entry in data["entries"].values():
        entry[2][3][0][0] = 12  # the first test's node id: not a string
    stored.write_text(json.dumps(data))
    result = run_scan(shop, cache_dir)
    assert not result.cached
    assert result.report == expected


def test_the_report_codec_round_trips_and_checks_every_field(shop):
    report = run_scan(shop, None).report
    data = json.loads(json.dumps(encode_report(report)))
    assert decode_report(data) == report
    broken = json.loads(json.dumps(data))
    broken[4][0][2] = "12"  # the first fixture's line, as a string
    with pytest.raises(Malformed):
        decode_report(broken)
    with pytest.raises(Malformed):
        decode_report(data[:-1])
