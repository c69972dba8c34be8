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


class Planted:
    """A pickle that runs a command when loaded: what a committed cache folder could hold."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def planted_files(marker: Path, good_entry: list[object]) -> dict[str, bytes]:
    import json
    import pickle

    from auditor import __version__
    from auditor.parse.cache import FORMAT

    def document(entries: object, **extra: object) -> bytes:
        data = {"format": FORMAT, "version": __version__, "entries": entries, **extra}
        return json.dumps(data).encode()

    size, mtime, digest, blob = good_entry
    return {
        "code-executing pickle": pickle.dumps({"test_a.py": Planted(marker)}),
        "pickle of protocol 0": pickle.dumps({"test_a.py": "x"}, protocol=0),
        "garbage": b"\x00\xffnot a cache\x13" * 50,
        "empty": b"",
        "JSON of another shape": b'{"entries": [1, 2, 3]}',
        "another format": document({}, format=FORMAT - 1),
        "entry of the wrong shape": document({"test_a.py": [size, mtime, digest]}),
        "entry with a wrong type": document({"test_a.py": [str(size), mtime, digest, blob]}),
        "summary that is not JSON": document({"test_a.py": [size, mtime, digest, "{nope"]}),
        "summary of unknown records": document(
            {"test_a.py": [size, mtime, digest, '["Planted", "x"]']}
        ),
        "summary with a field of the wrong type": document(
            {"test_a.py": [size, mtime, digest, str(blob).replace('"test_a.py"', "7", 1)]}
        ),
        "summary nested too deep": document(
            {"test_a.py": [size, mtime, digest, "[" * 100_000 + "]" * 100_000]}
        ),
    }


def test_a_planted_or_broken_cache_file_is_a_miss_and_runs_nothing(tmp_path):
    """Reading the cache never runs code, and nothing in it can make a run fail: every kind
    of bad file or entry is parsed again from the source, and replaced on save."""
    source = tmp_path / "test_a.py"
    source.write_text("def test_one(): ...\n")
    cache_dir = tmp_path / "cache"
    expected = parse_and_save(tmp_path, cache_dir)
    cache_file = SummaryCache(cache_dir, tmp_path).file
    import json

    good_entry = json.loads(cache_file.read_text())["entries"]["test_a.py"]
    marker = tmp_path / "ran"
    for kind, content in planted_files(marker, good_entry).items():
        cache_file.write_bytes(content)
        assert parse_and_save(tmp_path, cache_dir) == expected, kind
        assert not marker.exists(), f"{kind}: code ran"
        repaired = SummaryCache(cache_dir, tmp_path)
        assert repaired.entries["test_a.py"].summary == expected["test_a.py"], kind


def test_every_summary_record_round_trips_through_the_codec(tmp_path):
    from auditor.parse.codec import decode, encode

    source = tmp_path / "test_a.py"
    source.write_text(
        "import pytest\nfrom os import path as p\n\n"
        "pytestmark = [pytest.mark.slow]\n\n"
        "@pytest.fixture(scope='module', params=[1, 2])\ndef db(request):\n    yield 1\n\n"
        "@pytest.mark.parametrize('a, b', [(1, 2), (3, 4)])\n"
        "def test_x(db, a, b):\n    for _ in range(10):\n        assert a < b\n\n"
        "class TestY:\n    class TestInner:\n        def test_z(self):\n            pass\n"
    )
    summary = run.parse_files(tmp_path, ["test_a.py"])["test_a.py"]
    assert decode(json_round_trip(encode(summary))) == summary


def json_round_trip(data: object) -> object:
    import json

    return json.loads(json.dumps(data))


def _mutations(data: object) -> list[object]:
    """`data` with one value replaced by a value of another type, every way there is."""
    wrong: list[object] = [None, True, 0, 1.5, "x", [], ["Mark", "m", 1, [], []]]
    found: list[object] = []
    if isinstance(data, list):
        for index, item in enumerate(data):
            for replacement in [*wrong, *_mutations(item)]:
                if replacement is item:
                    continue
                found.append([*data[:index], replacement, *data[index + 1 :]])
        found.append(data[:-1])
        found.append([*data, 0])
    return found


def test_compiled_decoders_check_exactly_what_the_annotations_say(tmp_path):
    """`decode` runs decoders generated from the annotations (a cheaper decode of the
    whole cache after one file changed); they accept and reject exactly what the plain
    one-closure-per-value reading of the annotations does, down to a bool for an int."""
    from auditor.parse.codec import Malformed, decode, encode, reference_decode

    source = tmp_path / "test_a.py"
    source.write_text(
        "import pytest\n\n"
        "@pytest.fixture(scope='module', params=[1, 2])\ndef db(request):\n    yield 1\n\n"
        "@pytest.mark.parametrize('a', [1, 2])\n"
        "def test_x(db, a):\n    for _ in range(3):\n        open('f').read()\n\n"
        "class TestY:\n    def test_z(self):\n        pass\n"
    )
    summary = run.parse_files(tmp_path, ["test_a.py"])["test_a.py"]
    encoded = json_round_trip(encode(summary))
    assert decode(encoded) == reference_decode(encoded) == summary
    checked = 0
    for mutated in _mutations(encoded):
        try:
            expected: object = reference_decode(mutated)
        except Malformed:
            expected = Malformed
        try:
            got: object = decode(mutated)
        except Malformed:
            got = Malformed
        if expected is not Malformed and not isinstance(expected, type(summary)):
            expected = Malformed  # `decode` wants a whole file's summary
        assert got == expected, mutated
        checked += 1
    assert checked > 1000
