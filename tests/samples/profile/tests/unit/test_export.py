from pathlib import Path

from profapp import store


def test_export_writes_the_summary():
    target = store.export([("apple", 3)], Path("reports"))
    try:
        assert target.read_text(encoding="utf-8") == "apple,3\n"
    finally:
        target.unlink()
        target.parent.rmdir()


def test_export_into_tmp_path(tmp_path):
    target = store.export([("pear", 2)], tmp_path)
    assert target.read_text(encoding="utf-8") == "pear,2\n"
