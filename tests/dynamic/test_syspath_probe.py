"""The sys.path probe names the entry a test added, not every entry it pushed down."""

from __future__ import annotations

import sys

from auditor.dynamic.probes import diff
from auditor.dynamic.probes.syspath import SysPathProbe
from auditor.dynamic.runner.matching import score


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


def test_a_project_folder_says_which_modules_it_provides_and_an_importer_names_them(
    tmp_path, monkeypatch
):
    vendor = tmp_path / "vendor" / "fast_pkg"
    (vendor / "accel").mkdir(parents=True)
    (vendor / "accel" / "__init__.py").write_text("")
    (vendor / "fast_ext.py").write_text("")
    (vendor / "notes.txt").write_text("")
    probe = SysPathProbe(str(tmp_path))
    before = probe.snapshot()
    monkeypatch.setattr(sys, "path", [str(vendor), *sys.path])
    changes = diff(probe.name, before, probe.snapshot())
    added = next(change for change in changes if change.key.startswith("sys.path entry"))
    assert added.key == "sys.path entry 'vendor/fast_pkg'"
    assert added.after == "present, provides accel fast_ext"
    # A test that only asks whether fast_ext can be imported names what the entry provides.
    assert score(changes, {"find_spec", "fast_ext"}).named
