"""Generator of unseen order-dependent pytest suites with their answer keys (issue 16).

    .venv/bin/python -m benchmarks.leakgen OUT_DIR --seed 7 --tests 300 --files 30 [--verify]
    .venv/bin/python -m benchmarks.leakgen OUT_DIR --verify-only [--sample 20]

``generate(seed, tests, files, out_dir)`` writes ``OUT_DIR/suite/`` (an application package
``app/``, ``tests/`` with ``conftest.py`` and ``tests`` test items in ``files`` test files,
a ``pytest.ini`` or none at random; standard library and pytest only) and
``OUT_DIR/answer_key.json`` beside it, and returns the key. The same seed gives the same
suite. What is planted:

- **pairs** polluter -> victim, one unique piece of state each, of every kind the probes
  know (``PAIR_KINDS``): environment variables, module globals, class attributes, a dict
  and a list held in a module global, ``mock.patch(...).start()`` never stopped, a file
  left in the working directory, a file left in the project (``var/``), ``os.chdir``,
  ``sys.path``, a ``sys.modules`` injection, a logger level, a warnings filter (only when
  the generated ``pytest.ini`` turns pytest's warnings plugin off, which otherwise restores
  the filters around every test), an ``lru_cache`` holding a value computed under
  temporary state, the time zone, sqlite rows committed to ``app.db`` in the project, a
  mutable default argument, and state changed through the application's own objects
  (``plugins.add(...)``, ``store.put(...)``, ``app.handlers.append(...)``). In pytest's
  default order every victim runs before its polluter, so the plain run passes;
  ``pytest -p no:randomly POLLUTER VICTIM`` fails and the victim passes alone.
- **cleaners**: a pair whose polluter, a cleaner and the victim run in that order in the
  default order (the cleaner undoes the state, so the victim passes there); the pair is
  also listed under ``pairs`` (with ``cleaner``).
- **brittle** tests that fail alone and pass after their state-setter (setter first in the
  default order).
- **flaky** tests failing with probability 10% to 50% in any order (``os.urandom``).
- **clock** tests that read the clock harmlessly, and **noise** that is not order
  dependence: a statistics object every test bumps, a cache refilled per test, a lazily
  filled registry and an object recreated per test (``noise`` in the key), plus proper
  ``monkeypatch`` and ``tmp_path`` use.

The key (``answer_key.json``, version 1)::

    {"version": 1, "seed", "tests", "files", "ini": "pytest.ini" | null,
     "warnings_plugin_off": bool, "nodeids": [default order],
     "pairs": [{"polluter", "victim", "kind", "state", "cleaner": nodeid | null}],
     "brittle": [{"nodeid", "setters": [..], "kind", "state"}],
     "cleaners": [{"nodeid", "polluter", "victim", "kind", "state"}],
     "flaky": [{"nodeid", "rate"}], "clock": [nodeids], "noise": [state names]}

``state`` is a case-insensitive substring the reported leaked state should contain.

``--verify`` (or ``--verify-only`` on an existing folder) checks a suite with pytest
itself: the default order passes apart from flaky tests; for each planted pair (a sample
of ``--sample`` pairs, every kind at least once, for large suites) ``POLLUTER VICTIM``
fails on the victim and the victim passes alone; a cleaner's ``POLLUTER CLEANER VICTIM``
passes; a brittle test fails alone and passes after its setter. Runs are sequential (the
suite keeps state on disk).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

PAIR_KINDS = (
    "env_var",
    "module_global",
    "class_attribute",
    "registry_dict",
    "registry_list",
    "mock_patch",
    "file_cwd",
    "file_project",
    "chdir",
    "sys_path",
    "sys_modules",
    "logging_level",
    "warnings_filter",
    "lru_cache",
    "timezone",
    "sqlite_rows",
    "mutable_default",
    "app_plugins_add",
    "app_store_put",
    "app_handlers_append",
)
SINGLE_KINDS = frozenset({"chdir", "timezone"})  # process-wide: one per suite
BRITTLE_KINDS = ("registry_dict", "env_var", "app_store_put")
CLEANER_KINDS = ("registry_dict", "env_var")
NOISE = (
    "app.stats.STATS",
    "app.requestcache.CACHE",
    "app.templates._TEMPLATES",
    "app.session.current",
)

_WORDS = (
    "amber apple arch aspen atlas aurora badge basil beacon birch bison blaze bloom bolt "
    "brook cabin cactus canyon cedar cinder cipher clover cobalt comet coral cosmos crane "
    "crest crystal dawn delta dune eagle ember falcon fern fjord flint forge fox galaxy "
    "garnet geyser glacier granite grove harbor hazel heron hollow indigo iris ivory jade "
    "jasper juniper kelp kestrel lagoon lantern larch lava lemon lichen lotus lunar lynx "
    "maple marble meadow mesa meteor mint mist moss nebula nectar nova oak oasis onyx opal "
    "orbit orchid otter pebble pepper pine pixel plume polar prairie prism quartz quill "
    "raven reef ridge river robin ruby saffron sage sequoia shale sierra slate solar spruce "
    "stone summit tango thistle thunder tide timber topaz tulip tundra umber valley velvet "
    "violet vortex walnut willow wren yarrow zenith zephyr"
)
WORDS = tuple(_WORDS.split())
_VERBS = (
    "accepts adds applies builds caches checks computes converts counts creates decodes "
    "encodes exports filters formats handles keeps loads maps merges parses ranks reads "
    "renders returns routes saves scales sorts splits stores tracks validates writes"
)
VERBS = tuple(_VERBS.split())


@dataclass
class Slot:
    """One test item in the default order."""

    file: int
    role: str = "filler"  # filler | victim | polluter | cleaner | setter | brittle | flaky | clock
    plant: int = -1
    name: str = ""
    body: list[str] = field(default_factory=list)
    uses_fixtures: list[str] = field(default_factory=list)
    param: list[str] | None = None  # parametrize values (the slot stands for several items)
    klass: str | None = None
    rate: float = 0.0
    nodeids: list[str] = field(default_factory=list)


@dataclass
class AnswerKey:
    seed: int
    tests: int
    files: int
    ini: str | None
    warnings_plugin_off: bool
    nodeids: list[str] = field(default_factory=list)
    pairs: list[dict[str, Any]] = field(default_factory=list)
    brittle: list[dict[str, Any]] = field(default_factory=list)
    cleaners: list[dict[str, Any]] = field(default_factory=list)
    flaky: list[dict[str, Any]] = field(default_factory=list)
    clock: list[str] = field(default_factory=list)
    noise: list[str] = field(default_factory=lambda: list(NOISE))
    version: int = 1

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AnswerKey:
        return cls(**data)


def load_key(out_dir: Path) -> AnswerKey:
    data = json.loads((out_dir / "answer_key.json").read_text(encoding="utf-8"))
    return AnswerKey.from_json(data)


class Names:
    """Unique identifiers made of words."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def ident(self, parts: int = 2) -> str:
        if parts == 1 and sum("_" not in name for name in self.used) >= len(WORDS):
            parts = 2  # every single word is taken (seed 10's 2,000 tests): two words
        while True:
            name = "_".join(self.rng.choice(WORDS) for _ in range(parts))
            if name not in self.used and not name.endswith("_test"):
                self.used.add(name)
                return name


def camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


@dataclass
class Plant:
    """App code and test bodies of one planted relation."""

    kind: str
    module: str
    app_code: str
    state: str
    bodies: dict[str, list[str]]  # role -> test body lines
    extra_files: dict[str, str] = field(default_factory=dict)
    tables: list[str] = field(default_factory=list)


def pair_plant(kind: str, m: str, nm: str) -> Plant:
    """A polluter/victim pair of one kind on state named after ``nm`` in app module ``m``."""
    up = nm.upper()
    cls = camel(nm)
    if kind == "env_var":
        env = f"APP_{up}"
        code = f"def {nm}_enabled():\n    return os.environ.get({env!r}) == 'on'\n"
        return Plant(
            kind,
            m,
            code,
            env,
            {
                "polluter": [f"os.environ[{env!r}] = 'on'", f"assert {m}.{nm}_enabled()"],
                "victim": [f"assert not {m}.{nm}_enabled()"],
            },
        )
    if kind == "module_global":
        code = f"{up}_LIMIT = 10\n\n\ndef {nm}_allowed(n):\n    return n <= {up}_LIMIT\n"
        return Plant(
            kind,
            m,
            code,
            f"{up}_LIMIT",
            {
                "polluter": [f"{m}.{up}_LIMIT = 1", f"assert not {m}.{nm}_allowed(2)"],
                "victim": [f"assert {m}.{nm}_allowed(10)"],
            },
        )
    if kind == "class_attribute":
        code = (
            f"class {cls}:\n    verbose = False\n\n    def describe(self):\n"
            f"        return 'full' if self.verbose else 'short'\n"
        )
        return Plant(
            kind,
            m,
            code,
            f"{cls}.verbose",
            {
                "polluter": [
                    f"{m}.{cls}.verbose = True",
                    f"assert {m}.{cls}().describe() == 'full'",
                ],
                "victim": [f"assert {m}.{cls}().describe() == 'short'"],
            },
        )
    if kind == "registry_dict":
        code = (
            f"{up}_ROUTES = {{}}\n\n\ndef {nm}_route(path):\n"
            f"    return {up}_ROUTES.get(path, '404')\n"
        )
        return Plant(
            kind,
            m,
            code,
            f"{up}_ROUTES",
            {
                "polluter": [
                    f"{m}.{up}_ROUTES['/admin'] = '200'",
                    f"assert {m}.{nm}_route('/admin') == '200'",
                ],
                "victim": [f"assert {m}.{nm}_route('/admin') == '404'"],
            },
        )
    if kind == "registry_list":
        code = (
            f"{up}_HOOKS = []\n\n\ndef {nm}_run(value):\n    for hook in {up}_HOOKS:\n"
            f"        value = hook(value)\n    return value\n"
        )
        return Plant(
            kind,
            m,
            code,
            f"{up}_HOOKS",
            {
                "polluter": [
                    f"{m}.{up}_HOOKS.append(lambda v: v * 2)",
                    f"assert {m}.{nm}_run(3) == 6",
                ],
                "victim": [f"assert {m}.{nm}_run(3) == 3"],
            },
        )
    if kind == "mock_patch":
        code = (
            f"def {nm}_rate():\n    return 1.5\n\n\ndef {nm}_convert(amount):\n"
            f"    return amount * {nm}_rate()\n"
        )
        return Plant(
            kind,
            m,
            code,
            f"{nm}_rate",
            {
                "polluter": [
                    f"mock.patch('app.{m}.{nm}_rate', return_value=3.0).start()",
                    f"assert {m}.{nm}_convert(2) == 6.0",
                ],
                "victim": [f"assert {m}.{nm}_convert(2) == 3.0"],
            },
        )
    if kind == "file_cwd":
        code = (
            f"def {nm}_flush():\n    Path('{nm}.out').write_text('pending')\n\n\n"
            f"def {nm}_pending():\n    return Path('{nm}.out').exists()\n"
        )
        return Plant(
            kind,
            m,
            code,
            f"{nm}.out",
            {
                "polluter": [f"{m}.{nm}_flush()", f"assert {m}.{nm}_pending()"],
                "victim": [f"assert not {m}.{nm}_pending()"],
            },
        )
    if kind == "file_project":
        code = (
            f"def {nm}_export():\n    (PROJECT / 'var' / '{nm}.json').write_text('{{}}')\n\n\n"
            f"def {nm}_exports():\n"
            f"    return sorted(p.name for p in (PROJECT / 'var').glob('{nm}*.json'))\n"
        )
        return Plant(
            kind,
            m,
            code,
            f"{nm}.json",
            {
                "polluter": [f"{m}.{nm}_export()", f"assert {m}.{nm}_exports() == ['{nm}.json']"],
                "victim": [f"assert {m}.{nm}_exports() == []"],
            },
        )
    if kind == "chdir":
        code = f"def {nm}_manifest():\n    return Path('app/{nm}.manifest').read_text().strip()\n"
        return Plant(
            kind,
            m,
            code,
            "getcwd",
            {
                "polluter": [
                    f"os.chdir({m}.PROJECT / 'app')",
                    f"assert Path('{nm}.manifest').exists()",
                ],
                "victim": [f"assert {m}.{nm}_manifest() == 'ok'"],
            },
            extra_files={f"app/{nm}.manifest": "ok\n"},
        )
    if kind == "sys_path":
        code = (
            f"def {nm}_accelerated():\n"
            f"    return importlib.util.find_spec('{nm}_ext') is not None\n"
        )
        return Plant(
            kind,
            m,
            code,
            f"{nm}_pkg",
            {
                "polluter": [
                    f"sys.path.insert(0, str({m}.PROJECT / 'vendor' / '{nm}_pkg'))",
                    f"assert {m}.{nm}_accelerated()",
                ],
                "victim": [f"assert not {m}.{nm}_accelerated()"],
            },
            extra_files={f"vendor/{nm}_pkg/{nm}_ext.py": "SPEED = 'fast'\n"},
        )
    if kind == "sys_modules":
        code = (
            f"def {nm}_backend():\n    try:\n        import {nm}_fast  # noqa: F401\n"
            f"    except ImportError:\n        return 'pure'\n    return 'fast'\n"
        )
        return Plant(
            kind,
            m,
            code,
            f"{nm}_fast",
            {
                "polluter": [
                    f"sys.modules['{nm}_fast'] = types.ModuleType('{nm}_fast')",
                    f"assert {m}.{nm}_backend() == 'fast'",
                ],
                "victim": [f"assert {m}.{nm}_backend() == 'pure'"],
            },
        )
    if kind == "logging_level":
        code = (
            f"def {nm}_tracing():\n"
            f"    return logging.getLogger('app.{nm}').isEnabledFor(logging.DEBUG)\n"
        )
        return Plant(
            kind,
            m,
            code,
            f"app.{nm}",
            {
                "polluter": [
                    f"logging.getLogger('app.{nm}').setLevel(logging.DEBUG)",
                    f"assert {m}.{nm}_tracing()",
                ],
                "victim": [f"assert not {m}.{nm}_tracing()"],
            },
        )
    if kind == "warnings_filter":
        code = (
            f"class {cls}Warning(UserWarning):\n    pass\n\n\ndef {nm}_legacy_total():\n"
            f"    warnings.warn('legacy totals', {cls}Warning, stacklevel=2)\n"
            f"    return 42\n"
        )
        return Plant(
            kind,
            m,
            code,
            "warnings.filters",
            {
                "polluter": [
                    f"warnings.simplefilter('error', {m}.{cls}Warning)",
                    f"with pytest.raises({m}.{cls}Warning):",
                    f"    {m}.{nm}_legacy_total()",
                ],
                "victim": [f"assert {m}.{nm}_legacy_total() == 42"],
            },
        )
    if kind == "lru_cache":
        env = f"APP_{up}_CURRENCY"
        code = (
            f"@functools.lru_cache(maxsize=None)\ndef {nm}_currency():\n"
            f"    return os.environ.get({env!r}, 'EUR')\n"
        )
        return Plant(
            kind,
            m,
            code,
            f"{nm}_currency",
            {
                "polluter": [
                    f"{m}.{nm}_currency.cache_clear()",
                    f"os.environ[{env!r}] = 'USD'",
                    "try:",
                    f"    assert {m}.{nm}_currency() == 'USD'",
                    "finally:",
                    f"    del os.environ[{env!r}]",
                ],
                "victim": [f"assert {m}.{nm}_currency() == 'EUR'"],
            },
        )
    if kind == "timezone":
        code = f"def {nm}_hour(stamp):\n    return time.localtime(stamp).tm_hour\n"
        return Plant(
            kind,
            m,
            code,
            "TZ",
            {
                "polluter": [
                    "os.environ['TZ'] = 'JST-9'",
                    "time.tzset()",
                    f"assert {m}.{nm}_hour(0) == 9",
                ],
                "victim": [f"assert {m}.{nm}_hour(0) == 0"],
            },
        )
    if kind == "sqlite_rows":
        table = f"{nm}_rows"
        code = (
            f"def {nm}_save(value):\n    with closing(db.connect()) as conn:\n"
            f"        conn.execute('INSERT INTO {table}(value) VALUES (?)', (value,))\n"
            f"        conn.commit()\n\n\ndef {nm}_count():\n"
            f"    with closing(db.connect()) as conn:\n"
            f"        return conn.execute('SELECT count(*) FROM {table}').fetchone()[0]\n"
        )
        return Plant(
            kind,
            m,
            code,
            table,
            {
                "polluter": [f"{m}.{nm}_save('a')", f"assert {m}.{nm}_count() >= 1"],
                "victim": [f"assert {m}.{nm}_count() == 0"],
            },
            tables=[table],
        )
    if kind == "mutable_default":
        code = f"def {nm}_collect(item, bag=[]):\n    bag.append(item)\n    return bag\n"
        return Plant(
            kind,
            m,
            code,
            f"{nm}_collect",
            {
                "polluter": [f"assert 'a' in {m}.{nm}_collect('a')"],
                "victim": [f"assert {m}.{nm}_collect('b') == ['b']"],
            },
        )
    if kind == "app_plugins_add":
        code = (
            f"class {cls}Plugins:\n    def __init__(self):\n        self._names = []\n\n"
            f"    def add(self, name):\n        self._names.append(name)\n\n"
            f"    def names(self):\n        return list(self._names)\n\n\n"
            f"{nm}_plugins = {cls}Plugins()\n"
        )
        return Plant(
            kind,
            m,
            code,
            f"{nm}_plugins",
            {
                "polluter": [
                    f"{m}.{nm}_plugins.add('audit')",
                    f"assert 'audit' in {m}.{nm}_plugins.names()",
                ],
                "victim": [f"assert {m}.{nm}_plugins.names() == []"],
            },
        )
    if kind == "app_store_put":
        code = store_code(cls, nm)
        return Plant(
            kind,
            m,
            code,
            f"{nm}_store",
            {
                "polluter": [
                    f"{m}.{nm}_store.put('user', 'alice')",
                    f"assert {m}.{nm}_store.get('user') == 'alice'",
                ],
                "victim": [f"assert {m}.{nm}_store.get('user') is None"],
            },
        )
    if kind == "app_handlers_append":
        code = (
            f"class {cls}App:\n    def __init__(self):\n        self.handlers = []\n\n"
            f"    def handle(self, event):\n"
            f"        return [handler(event) for handler in self.handlers]\n\n\n"
            f"{nm}_app = {cls}App()\n"
        )
        return Plant(
            kind,
            m,
            code,
            f"{nm}_app",
            {
                "polluter": [
                    f"{m}.{nm}_app.handlers.append(str.upper)",
                    f"assert {m}.{nm}_app.handle('x') == ['X']",
                ],
                "victim": [f"assert {m}.{nm}_app.handle('x') == []"],
            },
        )
    raise ValueError(kind)


def store_code(cls: str, nm: str) -> str:
    return (
        f"class {cls}Store:\n    def __init__(self):\n        self._items = {{}}\n\n"
        f"    def put(self, key, value):\n        self._items[key] = value\n\n"
        f"    def get(self, key):\n        return self._items.get(key)\n\n"
        f"    def clear(self):\n        self._items.clear()\n\n\n"
        f"{nm}_store = {cls}Store()\n"
    )


def brittle_plant(kind: str, m: str, nm: str) -> Plant:
    up = nm.upper()
    if kind == "registry_dict":
        code = (
            f"{up}_PROVIDERS = {{}}\n\n\ndef {nm}_charge(provider, amount):\n"
            f"    return {up}_PROVIDERS[provider](amount)\n"
        )
        return Plant(
            kind,
            m,
            code,
            f"{up}_PROVIDERS",
            {
                "setter": [
                    f"{m}.{up}_PROVIDERS['card'] = lambda amount: amount * 100",
                    f"assert 'card' in {m}.{up}_PROVIDERS",
                ],
                "brittle": [f"assert {m}.{nm}_charge('card', 2) == 200"],
            },
        )
    if kind == "env_var":
        env = f"APP_{up}_TOKEN"
        code = f"def {nm}_token():\n    return os.environ[{env!r}]\n"
        return Plant(
            kind,
            m,
            code,
            env,
            {
                "setter": [f"os.environ[{env!r}] = 'secret'"],
                "brittle": [f"assert {m}.{nm}_token() == 'secret'"],
            },
        )
    code = store_code(camel(nm), nm)
    return Plant(
        kind,
        m,
        code,
        f"{nm}_store",
        {
            "setter": [f"{m}.{nm}_store.put('config', {{'retries': 3}})"],
            "brittle": [f"assert {m}.{nm}_store.get('config')['retries'] == 3"],
        },
    )


def cleaner_plant(kind: str, m: str, nm: str) -> Plant:
    up = nm.upper()
    if kind == "registry_dict":
        code = (
            f"{up}_QUOTES = {{}}\n\n\ndef {nm}_quote(sku, price=None):\n"
            f"    if sku not in {up}_QUOTES:\n"
            f"        {up}_QUOTES[sku] = 10.0 if price is None else price\n"
            f"    return {up}_QUOTES[sku]\n\n\ndef {nm}_invalidate():\n"
            f"    {up}_QUOTES.clear()\n"
        )
        return Plant(
            kind,
            m,
            code,
            f"{up}_QUOTES",
            {
                "polluter": [f"assert {m}.{nm}_quote('tea', 99.0) == 99.0"],
                "cleaner": [f"{m}.{nm}_invalidate()", f"assert {m}.{up}_QUOTES == {{}}"],
                "victim": [f"assert {m}.{nm}_quote('tea') == 10.0"],
            },
        )
    env = f"APP_{up}_MODE"
    code = f"def {nm}_mode():\n    return os.environ.get({env!r}, 'standard')\n"
    return Plant(
        kind,
        m,
        code,
        env,
        {
            "polluter": [f"os.environ[{env!r}] = 'beta'", f"assert {m}.{nm}_mode() == 'beta'"],
            "cleaner": [f"os.environ.pop({env!r}, None)", f"assert {m}.{nm}_mode() == 'standard'"],
            "victim": [f"assert {m}.{nm}_mode() == 'standard'"],
        },
    )


def filler_function(rng: random.Random, nm: str) -> tuple[str, list[str]]:
    """A pure app function and the lines of a test of it (``{m}`` left to fill)."""
    choice = rng.randrange(4)
    a, b = rng.randint(2, 9), rng.randint(0, 20)
    if choice == 0:
        return (
            f"def {nm}(x):\n    return x * {a} + {b}\n",
            [f"assert {{m}}.{nm}({b}) == {b * a + b}"],
        )
    if choice == 1:
        word = rng.choice(WORDS)
        return (
            f"def {nm}(text):\n    return text.upper()[::-1]\n",
            [f"assert {{m}}.{nm}({word!r}) == {word.upper()[::-1]!r}"],
        )
    if choice == 2:
        items = [rng.randint(0, 50) for _ in range(5)]
        return (
            f"def {nm}(items):\n    return sorted(items, reverse=True)[:{a % 4 + 1}]\n",
            [f"assert {{m}}.{nm}({items}) == {sorted(items, reverse=True)[: a % 4 + 1]}"],
        )
    return (
        f"def {nm}(pairs):\n    return {{key: value * {a} for key, value in pairs}}\n",
        [
            f"result = {{m}}.{nm}([('x', 1), ('y', {b})])",
            f"assert result == {{'x': {a}, 'y': {a * b}}}",
        ],
    )


NOISE_BODIES = (
    ["stats.STATS.record({w!r})", "assert stats.STATS.count({w!r}) >= 1"],
    ["assert templates.get_template({w!r}).startswith('<')"],
    ["assert session.current.user == 'anonymous'"],
    ["assert requestcache.CACHE['request'].startswith('test')"],
)
CLOCK_BODIES = (
    ["start = time.monotonic()", "assert time.monotonic() - start < 60"],
    ["assert datetime.now(timezone.utc).year >= 2024"],
    ["assert abs(time.time() - datetime.now(timezone.utc).timestamp()) < 60"],
    ["assert time.perf_counter() > 0", "assert time.time() > 1_700_000_000"],
)

TEST_HEADER = """\
import functools
import importlib
import logging
import os
import sys
import time
import types
import warnings
from datetime import datetime, timezone
from pathlib import Path
from unittest import mock

import pytest

from app import requestcache, session, stats, templates
"""

CONFTEST = '''\
"""Shared fixtures: a fresh database and no stale exports at the start of each run."""
import os
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Every timestamp in the suite assumes the server runs in UTC.
os.environ["TZ"] = "UTC"
time.tzset()

from app import db, requestcache, session, stats  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def fresh_storage():
    for folder in (ROOT, ROOT / "app"):
        for leftover in folder.glob("*.out"):
            leftover.unlink()
    (ROOT / "var").mkdir(exist_ok=True)
    for leftover in (ROOT / "var").glob("*.json"):
        leftover.unlink()
    db.init_db()
    yield


@pytest.fixture(autouse=True)
def bookkeeping(request):
    stats.STATS.bump("tests")
    requestcache.refill(request.node.name)
    session.current = session.Session("anonymous")
    yield
    stats.STATS.bump("finished")
'''

APP_FILES = {
    "app/__init__.py": '"""The application under test."""\n',
    "app/stats.py": (
        '"""Usage statistics every test bumps."""\nimport collections\n\n\n'
        "class Stats:\n    def __init__(self):\n        self.counts = collections.Counter()\n\n"
        "    def bump(self, name):\n        self.counts[name] += 1\n\n"
        "    def record(self, name):\n        self.bump(name)\n\n"
        "    def count(self, name):\n        return self.counts[name]\n\n\nSTATS = Stats()\n"
    ),
    "app/requestcache.py": (
        '"""A per-request cache, refilled before every test."""\nCACHE = {}\n\n\n'
        "def refill(request_name):\n    CACHE.clear()\n    CACHE['request'] = request_name\n"
    ),
    "app/templates.py": (
        '"""Templates, loaded lazily on first use."""\n_TEMPLATES = {}\n\n\n'
        "def get_template(name):\n    if name not in _TEMPLATES:\n"
        "        _TEMPLATES[name] = f'<{name}>'\n    return _TEMPLATES[name]\n"
    ),
    "app/session.py": (
        '"""The current session, recreated for every request."""\n\n\n'
        "class Session:\n    def __init__(self, user):\n        self.user = user\n\n\n"
        "current = Session('anonymous')\n"
    ),
}

APP_MODULE_HEADER = """\
import functools
import importlib.util
import logging
import os
import time
import warnings
from contextlib import closing
from pathlib import Path

from app import db

PROJECT = Path(__file__).resolve().parent.parent
"""


def db_module(tables: list[str]) -> str:
    creates = "".join(
        f"        conn.execute('CREATE TABLE {t} (id INTEGER PRIMARY KEY, value TEXT)')\n"
        for t in ["audit_log", *tables]
    )
    return (
        '"""The sqlite database of the project (app.db)."""\nimport sqlite3\n'
        "from contextlib import closing\nfrom pathlib import Path\n\n"
        "DB_PATH = Path(__file__).resolve().parent.parent / 'app.db'\n\n\n"
        "def connect():\n    return sqlite3.connect(DB_PATH)\n\n\n"
        "def init_db():\n    DB_PATH.unlink(missing_ok=True)\n"
        "    with closing(connect()) as conn:\n"
        f"{creates}        conn.commit()\n"
    )


def generate(seed: int, tests: int, files: int, out_dir: Path) -> AnswerKey:
    """Write ``out_dir/suite`` and ``out_dir/answer_key.json``; return the key."""
    if not 1 <= files <= tests:
        raise ValueError("need 1 <= files <= tests")
    rng = random.Random(seed)
    names = Names(rng)
    suite = out_dir / "suite"
    if suite.exists():
        shutil.rmtree(suite)
    suite.mkdir(parents=True)

    ini_choice = rng.random()
    ini = "pytest.ini" if ini_choice < 0.6 else None
    warnings_off = ini is not None and ini_choice < 0.45

    n_modules = max(3, min(30, tests // 40))
    modules = [names.ident(1 if rng.random() < 0.5 else 2) for _ in range(n_modules)]
    app_code: dict[str, list[str]] = {m: [] for m in modules}
    extra_files: dict[str, str] = {}
    tables: list[str] = []

    # Files and how many items each holds (every file at least one).
    file_names = sorted(f"test_{names.ident()}.py" for _ in range(files))
    counts = [1] * files
    for _ in range(tests - files):
        counts[rng.randrange(files)] += 1
    slots: list[Slot] = [Slot(file=i) for i, c in enumerate(counts) for _ in range(c)]
    free = set(range(tests))

    def take(n: int, same_file: bool) -> list[int]:
        if same_file:
            by_file: dict[int, list[int]] = {}
            for i in free:
                by_file.setdefault(slots[i].file, []).append(i)
            options = [v for v in by_file.values() if len(v) >= n]
            if options:
                chosen = sorted(rng.sample(rng.choice(options), n))
                free.difference_update(chosen)
                return chosen
        chosen = sorted(rng.sample(sorted(free), n))
        free.difference_update(chosen)
        return chosen

    key = AnswerKey(seed, tests, files, ini, warnings_off)
    n_pairs = max(8, min(60, tests // 20))
    n_cleaners = max(1, tests // 400)
    n_brittle = max(1, min(8, tests // 250))
    n_flaky = max(1, min(6, tests // 300))
    n_clock = max(2, tests // 100)
    if 2 * n_pairs + 3 * n_cleaners + 2 * n_brittle + n_flaky + n_clock > tests:
        raise ValueError("too few tests for the plants")

    kinds = [k for k in PAIR_KINDS if warnings_off or k != "warnings_filter"]
    rng.shuffle(kinds)
    pair_kinds: list[str] = []
    while len(pair_kinds) < n_pairs:
        for k in kinds:
            if len(pair_kinds) < n_pairs and not (k in SINGLE_KINDS and k in pair_kinds):
                pair_kinds.append(k)
    rng.shuffle(pair_kinds)

    plants: list[tuple[Plant, dict[str, int]]] = []

    def add_plant(plant: Plant, roles: dict[str, int]) -> None:
        app_code[plant.module].append(plant.app_code)
        extra_files.update(plant.extra_files)
        tables.extend(plant.tables)
        index = len(plants)
        plants.append((plant, roles))
        for role, slot in roles.items():
            slots[slot].role = role
            slots[slot].plant = index
            slots[slot].body = list(plant.bodies[role])

    for kind in pair_kinds:
        victim, polluter = take(2, rng.random() < 0.3)
        add_plant(
            pair_plant(kind, rng.choice(modules), names.ident()),
            {"victim": victim, "polluter": polluter},
        )
    for _ in range(n_cleaners):
        polluter, cleaner, victim = take(3, rng.random() < 0.5)
        add_plant(
            cleaner_plant(rng.choice(CLEANER_KINDS), rng.choice(modules), names.ident()),
            {"polluter": polluter, "cleaner": cleaner, "victim": victim},
        )
    for _ in range(n_brittle):
        setter, brittle = take(2, rng.random() < 0.3)
        add_plant(
            brittle_plant(rng.choice(BRITTLE_KINDS), rng.choice(modules), names.ident()),
            {"setter": setter, "brittle": brittle},
        )
    for _ in range(n_flaky):
        (slot,) = take(1, False)
        m, nm = rng.choice(modules), names.ident()
        rate = round(rng.uniform(0.1, 0.5), 2)
        app_code[m].append(
            f"def {nm}_roll():\n    return int.from_bytes(os.urandom(2), 'big') / 65536\n\n\n"
            f"def {nm}_retry_succeeds():\n    return {nm}_roll() >= {rate}\n"
        )
        slots[slot].role = "flaky"
        slots[slot].body = [f"assert {m}.{nm}_retry_succeeds()"]
        slots[slot].rate = rate
    for _ in range(n_clock):
        (slot,) = take(1, False)
        slots[slot].role = "clock"
        slots[slot].body = list(rng.choice(CLOCK_BODIES))

    # Fillers: pure functions, noise, proper monkeypatch and tmp_path use.
    for i in sorted(free):
        filler = slots[i]
        m = rng.choice(modules)
        r = rng.random()
        if r < 0.55:
            fn = names.ident()
            code, body = filler_function(rng, fn)
            app_code[m].append(code)
            filler.body = [line.replace("{m}", m) for line in body]
            if rng.random() < 0.06:
                filler.param = [str(v) for v in range(rng.randint(2, 4))]
        elif r < 0.8:
            w = rng.choice(WORDS)
            filler.body = [line.format(w=w) for line in rng.choice(NOISE_BODIES)]
        elif r < 0.9:
            env = f"APP_{names.ident().upper()}"
            filler.uses_fixtures = ["monkeypatch"]
            filler.body = [
                f"monkeypatch.setenv({env!r}, '1')",
                f"assert os.environ[{env!r}] == '1'",
            ]
        else:
            filler.uses_fixtures = ["tmp_path"]
            filler.body = [
                "target = tmp_path / 'report.txt'",
                "target.write_text('done')",
                "assert target.read_text() == 'done'",
            ]

    # The parametrized fillers stand for several items: drop as many other fillers.
    extra = sum(len(s.param) - 1 for s in slots if s.param)
    droppable = [
        i for i, s in enumerate(slots) if s.role == "filler" and not s.param and counts[s.file] > 1
    ]
    rng.shuffle(droppable)
    dropped: set[int] = set()
    for i in droppable:
        if extra <= 0:
            break
        if counts[slots[i].file] > 1:
            counts[slots[i].file] -= 1
            dropped.add(i)
            extra -= 1
    for i, s in enumerate(slots):  # not enough to drop: shrink the parameter lists
        if extra > 0 and s.param and i not in dropped:
            cut = min(extra, len(s.param) - 1)
            s.param = s.param[: len(s.param) - cut] if len(s.param) - cut > 1 else None
            extra -= cut
    kept = [s for i, s in enumerate(slots) if i not in dropped]

    # Render the test files, in the default order.
    per_file: dict[int, list[Slot]] = {}
    for s in kept:
        per_file.setdefault(s.file, []).append(s)
    used_test_names: set[str] = set()
    for fi, fname in enumerate(file_names):
        items = per_file.get(fi, [])
        klass: str | None = None
        left_in_class = 0
        for s in items:
            if left_in_class == 0:
                klass = None
                if rng.random() < 0.08:
                    klass = "Test" + camel(names.ident(1))
                    left_in_class = rng.randint(2, 6)
            if klass is not None:
                left_in_class -= 1
            s.klass = klass
            while True:
                name = f"test_{rng.choice(VERBS)}_{rng.choice(WORDS)}_{rng.choice(WORDS)}"
                if name not in used_test_names:
                    used_test_names.add(name)
                    break
            s.name = name
            base = f"tests/{fname}::" + (f"{klass}::" if klass else "") + name
            s.nodeids = [f"{base}[{p}]" for p in s.param] if s.param else [base]
        (suite / "tests").mkdir(exist_ok=True)
        (suite / "tests" / fname).write_text(render_file(items, modules), encoding="utf-8")

    key.nodeids = [n for s in kept for n in s.nodeids]
    assert len(key.nodeids) == tests, (len(key.nodeids), tests)
    for s in kept:
        if s.role == "flaky":
            key.flaky.append({"nodeid": s.nodeids[0], "rate": s.rate})
        elif s.role == "clock":
            key.clock.append(s.nodeids[0])
    for index, (plant, roles) in enumerate(plants):
        ids = {role: slots[i].nodeids[0] for role, i in roles.items()}
        assert all(slots[i].plant == index for i in roles.values())
        if "setter" in ids:
            key.brittle.append(
                {
                    "nodeid": ids["brittle"],
                    "setters": [ids["setter"]],
                    "kind": plant.kind,
                    "state": plant.state,
                }
            )
            continue
        key.pairs.append(
            {
                "polluter": ids["polluter"],
                "victim": ids["victim"],
                "kind": plant.kind,
                "state": plant.state,
                "cleaner": ids.get("cleaner"),
            }
        )
        if "cleaner" in ids:
            key.cleaners.append(
                {
                    "nodeid": ids["cleaner"],
                    "polluter": ids["polluter"],
                    "victim": ids["victim"],
                    "kind": plant.kind,
                    "state": plant.state,
                }
            )

    # The application and the project files.
    for path, text in {**APP_FILES, **extra_files}.items():
        (suite / path).parent.mkdir(parents=True, exist_ok=True)
        (suite / path).write_text(text, encoding="utf-8")
    (suite / "app" / "db.py").write_text(db_module(tables), encoding="utf-8")
    for m in modules:
        text = APP_MODULE_HEADER + "".join("\n\n" + code for code in app_code[m])
        (suite / "app" / f"{m}.py").write_text(text, encoding="utf-8")
    (suite / "tests" / "conftest.py").write_text(CONFTEST, encoding="utf-8")
    (suite / "var").mkdir(exist_ok=True)
    (suite / "var" / ".keep").write_text("", encoding="utf-8")
    if ini is not None:
        lines = ["[pytest]", "testpaths = tests"]
        if warnings_off:
            lines.append("# The app configures warnings itself.")
            lines.append("addopts = -p no:warnings")
        (suite / ini).write_text("\n".join(lines) + "\n", encoding="utf-8")
    (suite / ".gitignore").write_text("app.db\n*.out\nvar/*.json\n", encoding="utf-8")

    (out_dir / "answer_key.json").write_text(
        json.dumps(key.to_json(), indent=1) + "\n", encoding="utf-8"
    )
    return key


def render_file(items: list[Slot], modules: list[str]) -> str:
    used = sorted(
        {m for s in items for m in modules if any(re.search(rf"\b{m}\.", line) for line in s.body)}
    )
    out = [TEST_HEADER]
    if used:
        out.append(f"from app import {', '.join(used)}\n")
    current: str | None = None
    for s in items:
        if s.klass != current:
            if s.klass is not None:
                out.append(f"\n\nclass {s.klass}:")
            current = s.klass
        indent = "    " if s.klass else ""
        args = (["self"] if s.klass else []) + (["case"] if s.param else []) + s.uses_fixtures
        lines = ["", ""] if not s.klass else [""]
        if s.param:
            lines.append(f"{indent}@pytest.mark.parametrize('case', [{', '.join(s.param)}])")
        lines.append(f"{indent}def {s.name}({', '.join(args)}):")
        lines.extend(f"{indent}    {line}" for line in s.body)
        out.append("\n".join(lines))
    return "\n".join(out) + "\n"


# -- verification with pytest itself ---------------------------------------------------


@dataclass
class Run:
    returncode: int
    failed: set[str]
    passed: int
    seconds: float
    tail: str


def run_pytest(suite: Path, args: list[str], timeout: float = 900) -> Run:
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:randomly",
        "-p",
        "no:cacheprovider",
        "-q",
        "-rf",
        *args,
    ]
    start = time.monotonic()
    done = subprocess.run(
        cmd, cwd=suite, capture_output=True, text=True, timeout=timeout, check=False
    )
    seconds = time.monotonic() - start
    failed = {m.group(1) for m in re.finditer(r"^FAILED (\S+)", done.stdout, re.M)}
    passed_m = re.search(r"(\d+) passed", done.stdout)
    tail = "\n".join(done.stdout.strip().splitlines()[-3:] + done.stderr.strip().splitlines()[-3:])
    return Run(done.returncode, failed, int(passed_m.group(1)) if passed_m else 0, seconds, tail)


def verify(out_dir: Path, sample: int = 20, seed: int = 0) -> list[str]:
    """Check a generated suite with pytest; return the problems (empty: all good)."""
    key = load_key(out_dir)
    suite = out_dir / "suite"
    problems: list[str] = []
    flaky = {f["nodeid"] for f in key.flaky}
    plain = run_pytest(suite, [])
    unexpected = plain.failed - flaky
    if unexpected:
        problems.append(f"default order: unexpected failures {sorted(unexpected)}")
    if plain.passed + len(plain.failed) != key.tests:
        problems.append(
            f"default order ran {plain.passed + len(plain.failed)} tests, "
            f"key says {key.tests}: {plain.tail}"
        )
    rng = random.Random(seed)
    pairs = list(key.pairs)
    if len(pairs) > sample:
        by_kind: dict[str, list[dict[str, Any]]] = {}
        for p in pairs:
            by_kind.setdefault(p["kind"], []).append(p)
        chosen = [rng.choice(v) for v in by_kind.values()]
        rest = [p for p in pairs if p not in chosen]
        chosen += rng.sample(rest, max(0, sample - len(chosen)))
        pairs = chosen
    checked = 0
    for p in pairs:
        run = run_pytest(suite, [p["polluter"], p["victim"]])
        if p["victim"] not in run.failed or p["polluter"] in run.failed:
            problems.append(
                f"pair {p['kind']}: {p['polluter']} {p['victim']} did not make "
                f"the victim fail: {run.tail}"
            )
        alone = run_pytest(suite, [p["victim"]])
        if alone.returncode != 0:
            problems.append(f"pair {p['kind']}: victim {p['victim']} fails alone")
        if p.get("cleaner"):
            cleaned = run_pytest(suite, [p["polluter"], p["cleaner"], p["victim"]])
            if cleaned.returncode != 0:
                problems.append(f"cleaner {p['cleaner']} does not clean: {cleaned.tail}")
        checked += 1
    for b in key.brittle:
        alone = run_pytest(suite, [b["nodeid"]])
        if b["nodeid"] not in alone.failed:
            problems.append(f"brittle {b['nodeid']} passes alone")
        after = run_pytest(suite, [*b["setters"], b["nodeid"]])
        if after.returncode != 0:
            problems.append(f"brittle {b['nodeid']} fails after its setters: {after.tail}")
    print(
        f"verify {out_dir}: default order {plain.passed} passed, "
        f"{len(plain.failed)} failed (flaky: {len(plain.failed & flaky)}) in "
        f"{plain.seconds:.1f} s; {checked}/{len(key.pairs)} pairs and "
        f"{len(key.brittle)} brittle checked; {len(problems)} problems",
        file=sys.stderr,
    )
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tests", type=int, default=200)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--verify", action="store_true", help="check the suite with pytest")
    parser.add_argument("--verify-only", action="store_true", help="check an existing suite")
    parser.add_argument("--sample", type=int, default=20, help="pairs to check at most")
    args = parser.parse_args(argv)
    if not args.verify_only:
        key = generate(args.seed, args.tests, args.files, args.out_dir)
        print(
            f"{args.out_dir}: {key.tests} tests in {key.files} files, {len(key.pairs)} pairs, "
            f"{len(key.brittle)} brittle, {len(key.cleaners)} cleaners, "
            f"{len(key.flaky)} flaky, ini={key.ini}",
            file=sys.stderr,
        )
    if args.verify or args.verify_only:
        problems = verify(args.out_dir, args.sample, args.seed)
        for problem in problems:
            print(problem)
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
