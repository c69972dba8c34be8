"""The sys.path probe names the entry a test added, not every entry it pushed down."""

from __future__ import annotations

import sys

from auditor.dynamic.probes import diff
from auditor.dynamic.probes.syspath import SysPathProbe


def test_an_entry_inserted_first_is_named_and_nothing_it_pushed_down(monkeypatch):
    probe = SysPathProbe()
    before = probe.snapshot()
    monkeypatch.setattr(sys, "path", ["/plugins", *sys.path])
    changes = diff(probe.name, before, probe.snapshot())
    assert sorted(change.key for change in changes) == ["sys.path entry '/plugins'", "sys.path[0]"]
    assert all("/plugins" in change.describe() for change in changes)


def test_a_removed_entry_is_named(monkeypatch):
    probe = SysPathProbe()
    monkeypatch.setattr(sys, "path", ["/a", "/b"])
    before = probe.snapshot()
    monkeypatch.setattr(sys, "path", ["/a"])
    changes = diff(probe.name, before, probe.snapshot())
    assert [change.describe() for change in changes] == [
        "sys.path entry '/b' removed (was present)"
    ]
