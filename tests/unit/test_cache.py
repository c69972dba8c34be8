"""The summary cache: a warm run parses nothing; a changed file is parsed again."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from auditor.parse import run
from auditor.parse.cache import Summary, SummaryCache


def parse_and_save(tmp_path: Path, cache_dir: Path) -> dict[str, Summary]:
    cache = SummaryCache(cache_dir, tmp_path)
    parsed = run.parse_files(tmp_path, ["test_a.py"], cache=cache)
    cache.save()
    return parsed


def test_warm_run_parses_nothing_and_changes_are_seen(tmp_path, monkeypatch):
    source = tmp_path / "test_a.py"
    source.write_text("def test_one(): ...\n")
    cache_dir = tmp_path / "cache"
    first = parse_and_save(tmp_path, cache_dir)
    assert (cache_dir / ".gitignore").read_text().strip().endswith("*")

    def refuse(job):
        raise AssertionError(f"parsed {job} although it is cached")

    with monkeypatch.context() as patch:
        patch.setattr(run, "_parse_path", refuse)
        warm = parse_and_save(tmp_path, cache_dir)
        assert warm == first
        stat = source.stat()
        os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000))
        touched = parse_and_save(tmp_path, cache_dir)
        assert touched == first
    source.write_text("def test_one(): ...\ndef test_two(): ...\n")
    changed = parse_and_save(tmp_path, cache_dir)
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
