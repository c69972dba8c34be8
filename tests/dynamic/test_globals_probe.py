"""The globals probe on real suites' patterns: weak caches, lazy imports, installed project
packages, and what a snapshot costs."""

from __future__ import annotations

import gc
import importlib
import sys
import types
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from auditor.dynamic.plugin import audit
from auditor.dynamic.probes import ProbeContext, changes
from auditor.dynamic.probes import fingerprints as fingerprinting
from auditor.dynamic.probes.fingerprints import Fingerprints, fingerprint
from auditor.dynamic.probes.globals import GlobalsProbe, factory, project_packages
from tests.dynamic.calls import record_calls


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


def module_of(probe: object, name: str, *rest: object) -> str:
    """What `record_calls` keeps of a `GlobalsProbe._module_state` call: the module."""
    return name


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

    def counting(
        value: object, depth: int, budget: list[int], reads: Any = None, where: Any = (-1, -1)
    ) -> tuple[int, bool]:
        if depth == 2:
            calls.append(value)
        return original(value, depth, budget, reads, where)

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


# -- one object never takes the probe down -------------------------------------------------


class ContextLocal:
    """What werkzeug's ``LocalProxy`` (Flask's ``current_app``, ``g``, ``request``) does
    outside its context: every operation it proxies raises, ``__class__`` included (so
    ``isinstance`` raises too); it has ``__slots__`` and no ``__dict__`` of its own."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        object.__setattr__(self, "_name", name)

    def _unbound(self, *args: object, **kwargs: object) -> Any:
        raise RuntimeError("Working outside of application context.")

    __getattr__ = _unbound
    __repr__ = __str__ = __eq__ = __ne__ = __hash__ = __len__ = __iter__ = _unbound
    __bool__ = __call__ = __getitem__ = __contains__ = _unbound

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        raise RuntimeError("Working outside of application context.")


class Hostile:
    """An object that raises on any read the probe could make, ``__dict__`` included."""

    def _boom(self, *args: object, **kwargs: object) -> Any:
        raise ValueError("no reading me")

    __repr__ = __eq__ = __hash__ = __len__ = __iter__ = __bool__ = __getattr__ = _boom

    @property
    def __dict__(self) -> Any:  # type: ignore[override]
        raise ValueError("no reading me")


class Anything:
    """``__getattr__`` makes up every attribute (a mock, a lazy settings object): the probe
    must not take ``cache_info`` for an ``lru_cache`` and call it."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: self.calls.append(name)

    def __call__(self) -> None:
        self.calls.append("()")


def test_a_context_local_proxy_is_its_identity_and_the_rest_of_the_module_is_probed(
    tmp_path, forget
):
    forget.append("ta_flaskish")
    module = module_in(tmp_path, "ta_flaskish", "RATE = 1\nHANDLERS = []\n")
    module.current_app = ContextLocal("current_app")
    module.g = ContextLocal("g")
    probe = GlobalsProbe(tmp_path)
    before = probe.snapshot()
    assert before["ta_flaskish.current_app"].startswith("<ContextLocal>#")
    module.RATE = 2
    module.HANDLERS.append(len)
    found = changes(probe, before, probe.snapshot())
    assert [c.key for c in found] == ["ta_flaskish.HANDLERS", "ta_flaskish.RATE"]
    assert probe.notes == []  # nothing had to be read from the proxies


def test_an_object_that_raises_on_every_read_is_skipped_named_once_and_the_rest_probed(
    tmp_path, forget
):
    forget.append("ta_hostile")
    module = module_in(tmp_path, "ta_hostile", "RATE = 1\n")
    module.hostile = Hostile()
    probe = GlobalsProbe(tmp_path)
    before = probe.snapshot()
    module.RATE = 2
    after = probe.snapshot()
    assert [c.key for c in changes(probe, before, after)] == ["ta_hostile.RATE"]
    assert after["ta_hostile.hostile"].startswith("<Hostile>#")
    probe.snapshot()
    assert len(probe.notes) == 1
    assert "ta_hostile.hostile" in probe.notes[0]
    assert "ValueError: no reading me" in probe.notes[0]


def test_objects_that_make_up_attributes_are_never_called(tmp_path, forget):
    forget.append("ta_anything")
    module = module_in(tmp_path, "ta_anything", "")
    module.settings = Anything()
    module.client = mock.MagicMock()
    probe = GlobalsProbe(tmp_path)
    probe.snapshot()
    probe.snapshot()
    assert module.settings.calls == []
    assert module.client.mock_calls == []


def test_broken_dunders_of_containers_and_scalars_are_not_run(tmp_path, forget):
    class Loud(dict):  # type: ignore[type-arg]
        def __len__(self) -> int:
            raise TypeError("len")

        def __repr__(self) -> str:
            raise TypeError("repr")

        def __iter__(self) -> Any:
            raise TypeError("iter")

    class Name(str):
        def __repr__(self) -> str:
            raise TypeError("repr")

    forget.append("ta_loud")
    module = module_in(tmp_path, "ta_loud", "")
    module.table = Loud(a=1)
    module.label = Name("x")
    probe = GlobalsProbe(tmp_path)
    before = probe.snapshot()
    dict.__setitem__(module.table, "b", 2)
    assert [c.key for c in changes(probe, before, probe.snapshot())] == ["ta_loud.table"]
    assert probe.notes == []


# -- containers of module-level objects ----------------------------------------------------


FRAMEWORK = """
class App:
    def __init__(self):
        self.config = {"DEBUG": False}
        self.extensions = {}
        self.before_request_funcs = {None: []}
        self.teardown_funcs = []
        self._got_first_request = False

    def before_request(self, f):
        self.before_request_funcs[None].append(f)
        return f


class Cache:
    def __init__(self):
        self.data = {}

    def set(self, key, value):
        self.data[key] = value
"""


def test_containers_of_module_level_objects_of_another_library_are_probed(tmp_path, forget):
    """A Flask-like app and a cache object whose classes live outside the project: their
    public containers are state a test can leave changed through their methods."""
    rootdir, library = tmp_path / "project", tmp_path / "lib"
    rootdir.mkdir()
    library.mkdir()
    forget.extend(["ta_framework", "ta_webapp"])
    module_in(library, "ta_framework", FRAMEWORK)
    app_module = module_in(
        rootdir,
        "ta_webapp",
        "from ta_framework import App, Cache\napp = App()\ncache = Cache()\n",
    )
    probe = GlobalsProbe(rootdir)
    steps: list[tuple[Callable[[], object], list[str]]] = [
        (lambda: app_module.app.config.update(DEBUG=True), ["ta_webapp.app.config"]),
        (lambda: app_module.app.before_request(len), ["ta_webapp.app.before_request_funcs"]),
        (lambda: app_module.app.extensions.update(db=object()), ["ta_webapp.app.extensions"]),
        (lambda: app_module.app.teardown_funcs.append(len), ["ta_webapp.app.teardown_funcs"]),
        (lambda: app_module.cache.set("user", 1), ["ta_webapp.cache.data"]),
        (lambda: setattr(app_module.app, "_got_first_request", True), []),  # its own business
    ]
    for act, expected in steps:
        before = probe.snapshot()
        act()
        assert [c.key for c in changes(probe, before, probe.snapshot())] == expected


def test_a_registry_of_the_project_changed_through_its_methods_is_seen(tmp_path, forget):
    forget.append("ta_plugins")
    module = module_in(
        tmp_path,
        "ta_plugins",
        "class Registry:\n    def __init__(self):\n        self._handlers = {}\n"
        "    def register(self, name, handler):\n"
        "        self._handlers.setdefault(name, []).append(handler)\n"
        "registry = Registry()\n",
    )
    probe = GlobalsProbe(tmp_path)
    before = probe.snapshot()
    module.registry.register("save", len)
    assert [c.key for c in changes(probe, before, probe.snapshot())] == [
        "ta_plugins.registry._handlers"
    ]
    before = probe.snapshot()
    module.registry.register("save", str)  # a list inside the dict: two levels down
    assert [c.key for c in changes(probe, before, probe.snapshot())] == [
        "ta_plugins.registry._handlers"
    ]


# -- what is read again, and what is kept alive --------------------------------------------


def test_only_the_global_whose_containers_changed_is_read_again(tmp_path, forget, monkeypatch):
    forget.append("ta_quiet")
    module = module_in(
        tmp_path, "ta_quiet", "NAMES = ['a', 'b']\nTABLE = {'x': [1]}\nclass Box:\n    size = 1\n"
    )
    probe = GlobalsProbe(tmp_path)
    first = probe.snapshot()
    read = record_calls(monkeypatch, GlobalsProbe, "_part", lambda _, name, part, *__: (name, part))
    assert probe.snapshot() is first  # nothing changed: the very same snapshot
    assert read == []
    module.TABLE["x"].append(2)  # two levels down, in place
    assert [c.key for c in changes(probe, first, probe.snapshot())] == ["ta_quiet.TABLE"]
    assert read == [("ta_quiet", "TABLE")]
    module.RATE = 1  # a new global: the module's namespace changed, all of it is read again
    read.clear()
    assert "ta_quiet.RATE" in probe.snapshot()
    assert ("ta_quiet", "NAMES") in read


def test_a_container_replaced_in_place_by_an_equal_one_is_no_change(tmp_path, forget):
    forget.append("ta_swap")
    module = module_in(tmp_path, "ta_swap", "TABLE = {'x': [1, 2]}\n")
    probe = GlobalsProbe(tmp_path)
    before = probe.snapshot()
    module.TABLE["x"] = [1, 2]
    assert changes(probe, before, probe.snapshot()) == []
    module.TABLE["x"] = [1, 3]
    assert [c.key for c in changes(probe, before, probe.snapshot())] == ["ta_swap.TABLE"]


def test_an_object_dropped_from_a_cache_is_not_kept_alive_by_the_probe(tmp_path, forget):
    """dateutil's tz factories keep instances in a strong LRU cache and a weak one, and test
    that an instance dropped from the first leaves the second."""
    forget.append("ta_lru")
    module = module_in(
        tmp_path,
        "ta_lru",
        "import collections, weakref\nSTRONG = collections.OrderedDict()\n"
        "WEAK = weakref.WeakValueDictionary()\n"
        "class Zone:\n    pass\n"
        "def get(name):\n    zone = WEAK.get(name) or Zone()\n"
        "    WEAK[name] = STRONG[name] = zone\n    return zone\n",
    )
    probe = GlobalsProbe(tmp_path)
    zone = weakref.ref(module.get("UTC"))
    module.STRONG["nested"] = [module.get("EST")]
    est = weakref.ref(module.WEAK["EST"])
    before = probe.snapshot()
    probe.snapshot()
    module.STRONG.clear()
    gc.collect()
    assert zone() is None
    assert est() is None
    found = {c.key for c in changes(probe, before, probe.snapshot())}
    assert found == {"ta_lru.STRONG", "ta_lru.WEAK"}


def test_a_module_swapped_for_another_object_or_removed_is_read_again(tmp_path, forget):
    forget.extend(["ta_first", "ta_second"])
    module_in(tmp_path, "ta_first", "class Shared:\n    pass\nSHARED = Shared()\n")
    second = module_in(tmp_path, "ta_second", "from ta_first import SHARED\n")
    probe = GlobalsProbe(tmp_path)
    probe.snapshot()
    del sys.modules["ta_first"]
    after = probe.snapshot()
    assert "ta_first" not in after
    assert "ta_second.SHARED" in after
    second.SHARED.count = 1  # now expanded where it is still held
    assert "ta_second.SHARED.count" in probe.snapshot()


def test_an_object_recreated_in_one_module_does_not_read_the_modules_after_it_again(
    tmp_path, forget, monkeypatch
):
    """Noise in one module (an object a fixture recreates for every test) used to make every
    later module be read whole again at every snapshot: the objects expanded before them
    had changed. A module is read again only when an object it names was, or is now,
    expanded before it (seed 8 of the leak generator: 100 modules, 250 ms a snapshot)."""
    forget.extend(["ta_a_noisy", "ta_b_quiet", "ta_c_sharer"])
    noisy = module_in(tmp_path, "ta_a_noisy", "class Session:\n    pass\nCURRENT = Session()\n")
    module_in(tmp_path, "ta_b_quiet", "class Limits:\n    pass\nLIMITS = Limits()\nRATE = 3\n")
    sharer = module_in(tmp_path, "ta_c_sharer", "from ta_b_quiet import LIMITS\n")
    probe = GlobalsProbe(tmp_path)
    probe.snapshot()
    whole = record_calls(monkeypatch, GlobalsProbe, "_module_state", module_of)
    for _ in range(3):
        noisy.CURRENT = noisy.Session()
        probe.snapshot()
    assert whole == ["ta_a_noisy"] * 3
    noisy.LIMITS = sharer.LIMITS  # now expanded before the module that expanded it
    sharer.LIMITS.count = 1
    whole.clear()
    after = probe.snapshot()
    assert "ta_a_noisy.LIMITS.count" in after
    assert "ta_b_quiet" in whole
    assert "ta_b_quiet.LIMITS.count" not in after


def test_a_watch_list_reads_only_the_modules_that_own_its_keys(tmp_path, forget, monkeypatch):
    """The hunt's rounds: a module no watched key belongs to is never read; a key's owner is
    the longest module name that prefixes it (the package above it is not read either); an
    object of an unwatched project module is still the project's (its private attributes
    count)."""
    forget.extend(["ta_wpkg", "ta_wpkg.inner", "ta_w_model", "ta_w_quiet"])
    package = tmp_path / "ta_wpkg"
    package.mkdir()
    (package / "__init__.py").write_text("LEVEL = 1\n")
    (package / "inner.py").write_text(
        "from ta_w_model import Model\nCURRENT = Model()\nTABLE = {}\n"
    )
    module_in(
        tmp_path, "ta_w_model", "class Model:\n    def __init__(self):\n        self._secret = 1\n"
    )
    quiet = module_in(tmp_path, "ta_w_quiet", "NAMES = []\n")
    sys.path.insert(0, str(tmp_path))
    try:
        inner: Any = importlib.import_module("ta_wpkg.inner")
    finally:
        sys.path.remove(str(tmp_path))
    read = record_calls(monkeypatch, GlobalsProbe, "_module_state", module_of)
    probe = GlobalsProbe(tmp_path, watch=["ta_wpkg.inner.TABLE"])
    before = probe.snapshot()
    assert read == ["ta_wpkg.inner"]
    assert before["ta_wpkg.inner.CURRENT._secret"] == "1"
    inner.TABLE["x"] = 1
    quiet.NAMES.append("x")
    assert [c.key for c in changes(probe, before, probe.snapshot())] == ["ta_wpkg.inner.TABLE"]
    assert read == ["ta_wpkg.inner"]
    everything = GlobalsProbe(tmp_path)
    read.clear()
    everything.snapshot()
    assert set(read) == {"ta_wpkg", "ta_wpkg.inner", "ta_w_model", "ta_w_quiet"}


def test_classes_objects_and_tables_are_checked_in_bulk_and_nested_containers_one_by_one(
    tmp_path, forget, monkeypatch
):
    """A snapshot used to ask each global's reads in turn, a Python loop each (dateutil:
    347,000 calls for 2,188 snapshots); namespaces and a module's own lists and dicts are
    now compared in one pass per module, and only the reads that noted a container inside
    another are asked one by one."""
    forget.append("ta_bulk")
    module = module_in(
        tmp_path,
        "ta_bulk",
        "class Settings:\n    debug = False\n    level = 1\n"
        "class Service:\n    def __init__(self):\n        self.name = 'svc'\n"
        "SERVICE = Service()\nNAMES = ['a']\nLIMITS = {'rate': 1}\nTABLE = {'x': [1]}\n",
    )
    probe = GlobalsProbe(tmp_path)
    first = probe.snapshot()
    assert probe.snapshot() is first  # just read: global by global once, then in bulk
    asked = record_calls(monkeypatch, fingerprinting.Reads, "unchanged")
    assert probe.snapshot() is first
    assert len(asked) == 1  # TABLE's, whose list sits inside its dict
    module.Settings.debug = True
    module.SERVICE.name = "other"
    assert [c.key for c in changes(probe, first, probe.snapshot())] == [
        "ta_bulk.SERVICE.name",
        "ta_bulk.Settings.debug",
    ]
    module.NAMES.append("b")
    module.LIMITS["rate"] = 2
    found = {c.key for c in changes(probe, first, probe.snapshot())}
    assert {"ta_bulk.NAMES", "ta_bulk.LIMITS"} <= found


def test_a_snapshot_where_nothing_changed_checks_every_settled_module_at_once(
    tmp_path, forget, monkeypatch
):
    """Most snapshots find nothing changed: one bulk check for all the modules, not one per
    module; a change anywhere still shows. A module found changed is checked on its own from
    then on (attrs bumps a class counter in most tests: the one check for all would fail
    every other time), the others still at once."""
    forget.extend(["ta_all_a", "ta_all_b", "ta_all_c"])
    first_module = module_in(tmp_path, "ta_all_a", "class A:\n    x = 1\nNAMES = ['a']\n")
    module_in(tmp_path, "ta_all_b", "class B:\n    y = 1\n")
    third = module_in(tmp_path, "ta_all_c", "def add(item, into=[]):\n    into.append(item)\n")
    probe = GlobalsProbe(tmp_path)
    first = probe.snapshot()
    assert probe.snapshot() is first  # read whole first: module by module the next time
    checks = record_calls(monkeypatch, fingerprinting.Bulk, "unchanged")
    assert probe.snapshot() is first
    assert len(checks) == 1
    third.add(1)
    assert [c.key for c in changes(probe, first, probe.snapshot())] == ["ta_all_c.add.__defaults__"]
    changed = probe.snapshot()
    checks.clear()
    assert probe.snapshot() is changed
    assert len(checks) == 2  # the settled modules at once, the one that changed on its own
    first_module.NAMES.append("b")  # one of the settled modules: each on its own this time
    found = [c.key for c in changes(probe, changed, probe.snapshot())]
    assert found == ["ta_all_a.NAMES"]
    third.add(2)
    assert [c.key for c in changes(probe, changed, probe.snapshot())] == [
        "ta_all_a.NAMES",
        "ta_all_c.add.__defaults__",
    ]


def test_containers_in_a_namespace_are_checked_in_bulk(tmp_path, forget, monkeypatch):
    """A class's list, an object's dict, a weak set on a class: the namespace's noted values
    hold them, so they are compared in the one pass with it (dateutil: a Python loop per
    such global at every snapshot); a change inside them still shows."""
    forget.append("ta_inner")
    module = module_in(
        tmp_path,
        "ta_inner",
        "import weakref\nclass Registry:\n    handlers = []\n    live = weakref.WeakSet()\n"
        "class Service:\n    def __init__(self):\n        self.options = {'a': 1}\n"
        "SERVICE = Service()\n",
    )
    probe = GlobalsProbe(tmp_path)
    first = probe.snapshot()
    assert probe.snapshot() is first
    asked = record_calls(monkeypatch, fingerprinting.Reads, "unchanged")
    assert probe.snapshot() is first
    assert asked == []
    module.Registry.handlers.append(print)
    module.SERVICE.options["b"] = 2
    keeper = module.Service()
    module.Registry.live.add(keeper)
    found = {c.key for c in changes(probe, first, probe.snapshot())}
    assert found == {
        "ta_inner.Registry.handlers",
        "ta_inner.SERVICE.options",
        "ta_inner.Registry.live",
    }


def test_a_module_that_cannot_be_read_is_tried_at_every_snapshot(monkeypatch):
    """The one check for every module would otherwise pass over it: it noted nothing."""

    class Broken(types.ModuleType):
        @property
        def __dict__(self) -> dict[str, object]:  # type: ignore[override]
            raise RuntimeError("no namespace here")

    monkeypatch.setitem(sys.modules, "ta_broken_module", Broken("ta_broken_module"))
    probe = GlobalsProbe(Path("/nonexistent"), prefixes=("ta_broken_module",))
    tried = record_calls(monkeypatch, GlobalsProbe, "_module_state", module_of)
    probe.snapshot()
    probe.snapshot()
    assert tried == ["ta_broken_module", "ta_broken_module"]


def test_checking_what_was_read_calls_no_id_whose_audit_event_runs_the_hook(tmp_path, forget):
    """Once the plugin's audit hook is installed (the profile, the sqlite probe), every
    ``id()`` calls it: the checks compare addresses without ``id()``."""
    forget.append("ta_no_id")
    module_in(
        tmp_path,
        "ta_no_id",
        "class Box:\n    pass\nBOXES = [Box(), Box()]\nTABLE = {'a': [Box()]}\n"
        "class Settings:\n    level = 1\nCURRENT = Box()\n",
    )
    probe = GlobalsProbe(tmp_path)
    first = probe.snapshot()
    events: list[tuple[object, ...]] = []

    def hook(event: str, args: tuple[object, ...]) -> None:
        events.append(args)

    audit.subscribe(hook, ("builtins.id",))
    try:
        for _ in range(3):  # global by global, module by module, every module at once
            assert probe.snapshot() is first
    finally:
        audit.unsubscribe(hook)
    assert events == []


def test_defaults_are_checked_with_one_audit_event_and_a_rebinding_still_shows(tmp_path, forget):
    """Reading ``__defaults__`` raises an ``object.__getattr__`` audit event per function,
    each a call of the plugin's hook: a settled module's functions are checked through
    their referents, one event for them all."""
    forget.append("ta_defaults")
    module = module_in(
        tmp_path,
        "ta_defaults",
        "def first(items=None):\n    pass\ndef second(limit=3):\n    pass\n"
        "def third(table={}):\n    pass\n",
    )
    probe = GlobalsProbe(tmp_path)
    first = probe.snapshot()
    assert probe.snapshot() is first
    events: list[str] = []

    def hook(event: str, args: tuple[object, ...]) -> None:
        events.append(event)

    audit.subscribe(hook, ("object.__getattr__", "gc.get_referents"))
    try:
        for _ in range(3):
            assert probe.snapshot() is first
    finally:
        audit.unsubscribe(hook)
    assert "object.__getattr__" not in events
    module.first.__defaults__ = ([],)
    module.third.__dict__["marker"] = 1  # its referents change, its defaults do not
    assert [c.key for c in changes(probe, first, probe.snapshot())] == [
        "ta_defaults.first.__defaults__"
    ]
