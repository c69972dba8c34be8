"""The globals probe on real suites' patterns: weak caches, lazy imports, installed project
packages, and what a snapshot costs."""

from __future__ import annotations

import importlib
import sys
import types
import weakref
from pathlib import Path
from typing import Any

import pytest

from auditor.dynamic.probes import ProbeContext, changes
from auditor.dynamic.probes import fingerprints as fingerprinting
from auditor.dynamic.probes.fingerprints import Fingerprints, fingerprint
from auditor.dynamic.probes.globals import GlobalsProbe, factory, project_packages


def module_in(folder: Path, name: str, source: str) -> Any:
    (folder / f"{name}.py").write_text(source, encoding="utf-8")
    sys.path.insert(0, str(folder))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(folder))


@pytest.fixture
def forget():
    """Modules a test imports, dropped from sys.modules afterwards."""
    names: list[str] = []
    yield names
    for name in names:
        sys.modules.pop(name, None)


class Box:
    pass


def test_weak_containers_are_their_type_and_length_whatever_they_hold():
    """Their entries vanish whenever the collector runs and their ids differ per process."""
    cache: weakref.WeakValueDictionary[str, Box] = weakref.WeakValueDictionary()
    empty = fingerprint(cache)
    assert empty == "WeakValueDictionary(len=0)"
    kept = Box()
    cache["a"] = kept
    assert fingerprint(cache) == "WeakValueDictionary(len=1)"
    assert fingerprint(weakref.WeakSet([kept])) == "WeakSet(len=1)"
    other: weakref.WeakValueDictionary[str, Box] = weakref.WeakValueDictionary({"b": kept})
    assert fingerprint({"cache": cache}) == fingerprint({"cache": other})  # not by identity


def test_an_object_of_the_project_holding_a_weak_set_is_not_expanded_into_its_refs(
    tmp_path, forget
):
    forget.append("ta_registry")
    module = module_in(
        tmp_path,
        "ta_registry",
        "import weakref\nclass Registry(weakref.WeakSet):\n    pass\nLIVE = Registry()\n",
    )
    probe = GlobalsProbe(tmp_path)
    kept = [Box(), Box()]
    before = probe.snapshot()
    for box in kept:
        module.LIVE.add(box)
    found = changes(probe, before, probe.snapshot())
    assert [(c.key, c.before, c.after) for c in found] == [
        ("ta_registry.LIVE", "Registry(len=0)", "Registry(len=2)")
    ]


def test_a_lazy_import_is_not_a_leak_but_swapping_a_module_for_a_fake_is(tmp_path, forget):
    forget.append("ta_lazy")
    module = module_in(tmp_path, "ta_lazy", "import json\n_yaml = None\nencoder = json\n")
    probe = GlobalsProbe(tmp_path)
    before = probe.snapshot()
    module._yaml = importlib.import_module("colorsys")  # what a lazy import does
    module.late = importlib.import_module("colorsys")  # imported under a new global name
    assert changes(probe, before, probe.snapshot()) == []
    fake = types.ModuleType("fake_json")
    before = probe.snapshot()
    module.encoder = fake
    found = changes(probe, before, probe.snapshot())
    assert [(c.key, c.before, c.after) for c in found] == [
        ("ta_lazy.encoder", "<module json>", "<module fake_json>")
    ]


def test_the_rootdirs_top_level_and_src_packages_are_the_projects(tmp_path):
    for folder in ("shopx", "src/billing", "docs", ".venv/lib", "tests"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "shopx" / "__init__.py").write_text("")
    (tmp_path / "tests" / "__init__.py").write_text("")
    (tmp_path / ".venv" / "pyvenv.cfg").write_text("")
    assert project_packages(tmp_path) == ("shopx", "tests", "billing")


def test_the_project_imported_from_an_installed_copy_is_probed(tmp_path, forget):
    """A src layout installed into site-packages: its modules load from outside the rootdir."""
    rootdir, installed = tmp_path / "project", tmp_path / "site"
    (rootdir / "src" / "ta_billing").mkdir(parents=True)
    (installed / "ta_billing").mkdir(parents=True)
    (installed / "ta_billing" / "__init__.py").write_text("RATE = 1\n")
    forget.extend(["ta_billing", "ta_billing_extra"])
    (installed / "ta_billing_extra.py").write_text("RATE = 1\n")
    sys.path.insert(0, str(installed))
    try:
        billing: Any = importlib.import_module("ta_billing")
        extra: Any = importlib.import_module("ta_billing_extra")
    finally:
        sys.path.remove(str(installed))
    probe = factory(ProbeContext(rootdir=rootdir))
    before = probe.snapshot()
    billing.RATE = 2
    extra.RATE = 2  # a different distribution that merely shares the prefix
    assert [c.key for c in changes(probe, before, probe.snapshot())] == ["ta_billing.RATE"]


def test_an_immutable_tuple_is_hashed_once_and_a_mutable_one_every_time(monkeypatch):
    calls: list[object] = []
    original = fingerprinting._content_hash

    def counting(value: object, depth: int, budget: list[int]) -> tuple[int, bool]:
        if depth == 2:
            calls.append(value)
        return original(value, depth, budget)

    monkeypatch.setattr(fingerprinting, "_content_hash", counting)
    remembered = Fingerprints()
    names = tuple(f"name{index}" for index in range(300))
    assert remembered(names) == remembered(names) == fingerprint(names)
    assert calls == [names, names]  # once for the cache, once for the plain function
    calls.clear()
    basket: list[str] = []
    defaults = (1, basket)
    first = remembered(defaults)
    basket.append("tea")
    assert remembered(defaults) != first
    assert len(calls) == 2


def test_the_remembered_fingerprints_are_forgotten_past_their_limit(monkeypatch):
    monkeypatch.setattr(Fingerprints, "LIMIT", 3)
    remembered = Fingerprints()
    values = [tuple(range(index, index + 10)) for index in range(5)]
    for value in values:
        remembered(value)
    assert len(remembered._frozen) <= 3
    assert remembered(values[0]) == fingerprint(values[0])


def test_what_unittest_keeps_on_a_test_case_class_is_not_the_suites_state(tmp_path, forget):
    forget.append("ta_cases")
    module = module_in(
        tmp_path,
        "ta_cases",
        "import unittest\nclass TestA(unittest.TestCase):\n    retries = 0\n"
        "    def test_a(self):\n        pass\n",
    )
    probe = GlobalsProbe(tmp_path)
    before = probe.snapshot()
    unittest_run = __import__("unittest").TestSuite([module.TestA("test_a")])
    unittest_run.run(__import__("unittest").TestResult())  # sets tearDown_exceptions & co.
    module.TestA.retries = 1
    found = changes(probe, before, probe.snapshot())
    assert [c.key for c in found] == ["ta_cases.TestA.retries"]
