"""The summary cache: a warm run parses nothing; a changed file is parsed again."""

from __future__ import annotations

import os

import pytest

from auditor.parse import run
from auditor.parse.cache import SummaryCache


def test_warm_run_parses_nothing_and_changes_are_seen(tmp_path, monkeypatch):
    source = tmp_path / "test_a.py"
    source.write_text("def test_one(): ...\n")
    cache_dir = tmp_path / "cache"
    first = run.parse_files(tmp_path, ["test_a.py"], cache=SummaryCache(cache_dir, tmp_path))
    assert (cache_dir / ".gitignore").read_text().strip().endswith("*")

    def refuse(job):
        raise AssertionError(f"parsed {job} although it is cached")

    with monkeypatch.context() as patch:
        patch.setattr(run, "_parse_path", refuse)
        warm = run.parse_files(tmp_path, ["test_a.py"], cache=SummaryCache(cache_dir, tmp_path))
        assert warm == first
        stat = source.stat()
        os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000))
        touched = run.parse_files(tmp_path, ["test_a.py"], cache=SummaryCache(cache_dir, tmp_path))
        assert touched == first
    source.write_text("def test_one(): ...\ndef test_two(): ...\n")
    changed = run.parse_files(tmp_path, ["test_a.py"], cache=SummaryCache(cache_dir, tmp_path))
    summary = changed["test_a.py"]
    assert [f.name for f in summary.functions] == ["test_one", "test_two"]  # type: ignore[union-attr]


@pytest.mark.slow
def test_parallel_and_serial_parsing_agree(tmp_path):
    names = []
    for index in range(40):
        (tmp_path / f"test_{index}.py").write_text(f"def test_{index}(): ...\n")
        names.append(f"test_{index}.py")
    serial = run.parse_files(tmp_path, names, jobs=1)
    parallel = run.parse_files(tmp_path, names, jobs=2)
    assert serial == parallel
