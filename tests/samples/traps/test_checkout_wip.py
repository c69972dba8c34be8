"""Matched by conftest.collect_ignore_glob ("*_wip.py"): never collected."""

raise RuntimeError("work in progress, must not be imported")


def test_unfinished():
    assert False
