"""Tiers: unit, integration or performance (or the configured names) for every test, with
the evidence behind each call, strongest first.

Evidence has four levels. What the test really reaches is the strongest: what its body,
the suite's helper functions it calls and the fixtures of its closure call (an engine, a
socket, a subprocess, a test client, a benchmark, a timed assertion...), as matched by
the signal packs of `auditor.analysis.tier_signals`, and what the project's own code they
call reaches, ``project-reach`` defs deep (``fixture `db` -> `Repository.__init__`
(app/db.py:9) -> sqlite3.connect``; a Stopwatch class on ``perf_counter`` the test times
itself with, a home-grown framework's in-process test client, a file of the project read).
Then the marks the suite put on it, then the folders its file lives in, and last its
file's name. A fifth level, above them all, is what a run of the suite saw the test do
(`scan --run`, `auditor.analysis.confirm`).

The call: the heaviest tier among the reach and mark evidence (a test marked unit that
opens a socket is integration; a performance test that uses the database is
performance). Without any, the heaviest tier among folder evidence, then name evidence,
then the lightest tier. A mock (responses, respx, moto, fakeredis, a ``mock.patch`` of
the very call) anywhere in the test or its closure removes the reach evidence of the
family it mocks; a ``mock.patch`` of a def a chain goes through (``@patch.object(Ext,
"_make_engine")``) removes what the chain reaches after it, before the database URLs
are read.

Where the data lives decides a storage signal (an engine, a session, schema DDL, a DB-API
connection: ``storage = true`` in the packs). The database URLs the test's code names, in
its body, its helpers and its fixtures (and what a fixture gets through a literal
``request.getfixturevalue``: for a fixture picking among several, the one the test requests,
else the last one named, its fall-through default), literals or the module-level constants
bound to them (``create_engine(DB_URL)``), are read with it. Every one in memory
(``sqlite://``, ``sqlite:///:memory:``, an app configured with one): the storage evidence is
the ``in-memory-database`` tier of the settings, by default the lightest (in-memory storage
of one component is a unit test). A database file (``sqlite:///app.db``, one under
``tmp_path`` too) or a server URL: evidence of its own, of the storage signal's tier. No
URL in sight: the storage signal keeps its tier. Of alternatives (a table of URLs by
backend, the branches of an ``if db == "sqlite"``), the one a default of the suite's options
or environment variables names is the one read (``parser.addoption("--db",
default="sqlite")``). A connect given where its data lives (``sqlite3.connect(path)``) in
the suite's own code is not told where it goes by the project's defaults: with no URL of
the suite's in sight, it keeps its tier. A framework's test client driving the app's layers
is evidence of its own (``frameworks.toml``), whatever the storage; a plugin's factory
fixture (``aiohttp_client``) that nothing calls reaches nothing.

The evidence and the result types are in `auditor.analysis.tier_model` (and importable
from here); the reach evidence is gathered by `auditor.analysis.tier_reach` over the
suite's code (`auditor.analysis.suite_code`); this module makes the call.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path, PurePosixPath

from auditor.analysis.resolution import Resolution
from auditor.analysis.suite_code import CodeDef, SuiteCode
from auditor.analysis.tier_model import Evidence, Level, TestTier, Tiers
from auditor.analysis.tier_reach import MEMORY, DatabaseUrl, Facts, ReachFinder
from auditor.analysis.tier_signals import SignalSet
from auditor.model.project import ProjectModules
from auditor.model.suite import FixtureDef, Origin, Suite, TestItem
from auditor.parse.trees import ParsedFiles

_CLASS_SETUP = ("setUp", "setUpClass", "asyncSetUp", "setup_method", "setup_class")
_IN_MEMORY = "databases.in-memory"
"""The signal id of storage evidence on an in-memory database."""
_MODULE_SETUP = ("setUpModule", "setup_module", "setup_function")
"""xunit-style setup the test runs without a fixture pytest would list."""


class TierClassifier:
    """Makes the tier call of each test of one suite (see the module docstring)."""

    def __init__(
        self,
        suite: Suite,
        resolution: Resolution,
        signals: SignalSet,
        *,
        cache_dir: Path | None = None,
        files: ParsedFiles | None = None,
    ) -> None:
        self.suite = suite
        self.resolution = resolution
        self.signals = signals
        suite_files = [*suite.test_files, *suite.conftests, *suite.modules, *suite.helpers]
        self.project = ProjectModules(
            Path(suite.rootdir), suite_files, cache_dir, parsed=suite.parsed, files=files
        )
        self.code = SuiteCode(suite, self.project if signals.project_reach else None)
        trees = files if files is not None else ParsedFiles(Path(suite.rootdir))
        self.reach = ReachFinder(suite, signals, self.code, trees)
        self.weight = {name: index for index, name in enumerate(signals.tiers)}
        self._marks = {m: s for s in signals.with_field("marks") for m in s.marks}
        self._bases = {b: s for s in signals.with_field("bases") for b in s.bases}
        self._folders = {f: s for s in signals.with_field("folders") for f in s.folders}
        self._names = {n: s for s in signals.with_field("names") for n in s.names}
        self._intent = {s.id for s in signals.signals if s.intent}
        self._storage = {s.id for s in signals.signals if s.storage}
        self._located = {s.id for s in signals.signals if s.located}
        self.in_memory_tier = signals.in_memory_tier or signals.tiers[0]
        self._families = {s.id: s.family for s in signals.signals}
        self._factories = frozenset(f for s in signals.with_field("factories") for f in s.factories)

    def classify(self) -> Tiers:
        tests = {t.nodeid: self.test(t) for t in self.suite.tests}
        self.project.save()
        return Tiers(self.signals.tiers, tests)

    def test(self, test: TestItem) -> TestTier:
        """The tier of one test, with its evidence strongest first."""
        facts = Facts()
        where = self.code.by_line.get((test.defined_in or test.path, test.line))
        if where is not None:
            facts.absorb(self.reach.facts(where, depth=0))
            for setup in self._setups(where):
                label = f"`{setup.function.name}` ({setup.path}:{setup.function.line})"
                facts.absorb(self.reach.facts(setup, depth=1), label, timing=False)
        closure = self._closure(test)
        unresolved = self._unresolved(test)
        idle = self._idle_factories(where, closure, unresolved)
        for definition in closure:
            if definition.name in idle:
                continue
            fixture = self.reach.fixture_facts(definition)
            if fixture.hits or fixture.mocks or fixture.patched or fixture.urls:
                facts.absorb(fixture, self._fixture_label(test, definition), timing=False)
        for requester, definition in self._dispatched(test, closure):
            fixture = self.reach.fixture_facts(definition)
            if fixture.hits or fixture.mocks or fixture.patched or fixture.urls:
                via = "" if requester is None else f"{self._fixture_label(test, requester)} -> "
                label = (
                    f"{via}`request.getfixturevalue({definition.name!r})` "
                    f"({definition.path}:{definition.line})"
                )
                facts.absorb(fixture, label, timing=False)
        for name in unresolved:
            if name not in idle:
                self.reach.plugin_fixture(facts, name, test.path, test.line)
        reach = self.reach.evidence(facts)
        reach.extend(self._bases_evidence(test, where))
        kept, mocked = self._unmocked(reach, facts)  # a mocked engine names no database
        kept = self._storage_evidence(kept, facts.urls)
        marks = list(self._marks_evidence(test))
        folders, names = self._layout_evidence(test, measures=facts.measures())
        tier, decisive = self._decide(kept, marks, folders, names)
        # dict, not set: ties keep the order found (a set's order changes from run to run)
        ranked = sorted(
            dict.fromkeys([*decisive, *kept, *marks, *folders, *names]),
            key=lambda e: (e not in decisive, -e.level, -self.weight.get(e.tier, 0)),
        )
        return TestTier(test.nodeid, test.path, tier, tuple(ranked), tuple(mocked))

    def _idle_factories(
        self, where: CodeDef | None, closure: list[FixtureDef], unresolved: list[str]
    ) -> frozenset[str]:
        """The factory fixtures of a plugin (``aiohttp_client``) the test gets but that
        neither it, its setup nor a fixture of the suite in its closure ever calls: the
        server they would start is never started."""
        requested = {d.name for d in closure} | set(unresolved)
        factories = requested & self._factories
        if not factories:
            return frozenset()
        defs = [where, *self._setups(where)] if where is not None else []
        defs.extend(d for f in closure if (d := self.code.by_line.get((f.path, f.line))))
        called = {
            c.name.rpartition(".")[2]
            for d in defs
            if (reach := self.code.reach(d)) is not None
            for c in reach.calls
            if c.kind == "call"
        }
        return frozenset(factories - called)

    def _decide(
        self,
        reach: list[Evidence],
        marks: list[Evidence],
        folders: list[Evidence],
        names: list[Evidence],
    ) -> tuple[str, list[Evidence]]:
        intent = [e for e in (*reach, *marks) if e.signal in self._intent]
        for group in (intent, reach, marks, folders, names):
            if group:
                heaviest = max(self.weight[e.tier] for e in group)
                tier = self.signals.tiers[heaviest]
                return tier, [e for e in group if e.tier == tier]
        default = self.signals.tiers[0]
        return default, [
            Evidence(
                default,
                Level.NAME,
                "no signal of another tier in the test, its fixtures or its helpers",
                "",
                0,
                "default",
            )
        ]

    def _closure(self, test: TestItem) -> list[FixtureDef]:
        fixtures = self.resolution.tests.get(test.nodeid)
        if fixtures is None:
            return []
        found = [self.resolution.definitions.get(key) for key in fixtures.definitions]
        skipped = (Origin.PARAM, Origin.XUNIT)  # xunit setup is read as `_setups`
        return [d for d in found if d is not None and d.origin not in skipped]

    def _dispatched(
        self, test: TestItem, closure: list[FixtureDef]
    ) -> Iterator[tuple[FixtureDef | None, FixtureDef]]:
        """(requester, fixture) for the fixtures got through a literal
        ``request.getfixturevalue("name")`` in a default run (requester None: the test
        itself, which gets each name it asks for). A fixture that picks among several
        (``if "postgresql_dsn" in request.fixturenames: return
        request.getfixturevalue("postgresql_dsn")`` ... ``return
        request.getfixturevalue("sqlite_memory_dsn")``) gets the one the test requests
        anyway, which is in the closure already; a test requesting none of them gets the
        last one named, the fall-through default."""
        fixtures = self.resolution.tests.get(test.nodeid)
        names = set(fixtures.names) if fixtures is not None else set()
        requesters: list[tuple[FixtureDef | None, list[str]]] = [
            (None, [n for n in test.getfixturevalue if n not in names])
        ]
        for definition in closure:
            requested = [n for n in definition.getfixturevalue if n != "request"]
            if requested and names.isdisjoint(requested):
                requesters.append((definition, requested[-1:]))
        for requester, wanted in requesters:
            for name in wanted:
                visible = self.suite.visible(name, test.chain)
                if visible and visible[-1].origin not in (Origin.PARAM, Origin.XUNIT):
                    yield requester, visible[-1]

    def _storage_evidence(self, reach: list[Evidence], urls: list[DatabaseUrl]) -> list[Evidence]:
        """Storage signals (an engine, a session, DDL) read with the database URLs the
        test's code names: all in memory, they are the in-memory tier; a file or a
        server URL is evidence of its own; no URL in sight leaves them as they are."""
        stored = [e for e in reach if e.signal in self._storage]
        own = [u for u in urls if not u.project]
        if not own:  # the project's defaults say nothing of where the suite's connects go
            stored = [e for e in stored if not self._locates_here(e)]
        urls = own or urls  # the suite's choice over defaults
        urls = _picked(urls, self.reach.defaults)
        if not stored or not urls:
            return reach
        outside = list({u.url: u for u in urls if u.where != MEMORY}.values())
        if outside:
            tier = max((e.tier for e in stored), key=lambda t: self.weight.get(t, 0))
            named = [_named(u, tier, stored[0].signal) for u in outside[:3]]
            return [*named, *reach]
        memory = urls[0]
        kept = [_named(memory, self.in_memory_tier, _IN_MEMORY)]
        for e in reach:
            if e in stored:
                text = f"{e.text} on {memory.describe()} (`{memory.url}`)"
                e = Evidence(
                    self.in_memory_tier, Level.REACH, text, e.path, e.line, _IN_MEMORY, e.subject
                )
            kept.append(e)
        return kept

    def _locates_here(self, evidence: Evidence) -> bool:
        """A connect given where its data lives (``sqlite3.connect(path)``) in the suite's
        own code: its argument, not a default of the project, says where it goes."""
        return evidence.signal in self._located and not self.code.is_project(evidence.path)

    def _setups(self, where: CodeDef) -> Iterator[CodeDef]:
        """The xunit-style setup methods and functions that run around the test."""
        if where.klass is not None:
            for name in _CLASS_SETUP:
                found = self.code.method(where.path, where.klass, name, depth=0)
                if found is not None:
                    yield found
        for name in _MODULE_SETUP:
            yield from self.code.named(where.path, name, depth=0)

    def _unresolved(self, test: TestItem) -> list[str]:
        """Requested fixture names with no definition in sight (their plugin is not
        installed where the audit runs): the name is all there is to go on."""
        fixtures = self.resolution.tests.get(test.nodeid)
        if fixtures is None:
            return []
        resolved = {
            d.name for k in fixtures.definitions if (d := self.resolution.definitions.get(k))
        }
        return [n for n in fixtures.names if n not in resolved]

    def _fixture_label(self, test: TestItem, definition: FixtureDef) -> str:
        """`fixture `db_session` -> `engine` (tests/conftest.py:12)`: how the test
        reaches the fixture, through the fixtures that request it."""
        chain = self.resolution.chain(test.nodeid, definition.key)
        names = " -> ".join(f"`{name}`" for name in chain) or f"`{definition.name}`"
        return f"fixture {names} ({definition.path}:{definition.line})"

    def _unmocked(self, reach: list[Evidence], facts: Facts) -> tuple[list[Evidence], list[str]]:
        kept: list[Evidence] = []
        mocked: list[str] = []
        for evidence in reach:
            family = self._families.get(evidence.signal, "")
            mocker = facts.mocks.get(family) if family else None
            if mocker is None:
                mocker = _patched(evidence.subject, facts.patched)
            if mocker is None:
                mocker = _patched_on_the_way(evidence.text, facts.patched)
            if mocker is None:
                kept.append(evidence)
            else:
                mocked.append(f"{evidence} is mocked: {mocker}")
                text = f"mocks what it would reach: {mocker}"
                kept.append(
                    Evidence(
                        self.signals.tiers[0],
                        Level.REACH,
                        text,
                        evidence.path,
                        evidence.line,
                        "mocked",
                        evidence.subject,
                    )
                )
        return kept, mocked

    def _bases_evidence(self, test: TestItem, where: CodeDef | None) -> Iterator[Evidence]:
        if where is None or where.klass is None:
            return
        for base in self.code.bases(where.path, where.klass):
            signal = self._bases.get(base)
            if signal is not None:
                text = f"{signal.what} (class `{where.klass.name}` is a `{base}`)"
                line = where.klass.line
                yield Evidence(signal.tier, Level.REACH, text, where.path, line, signal.id, base)

    def _marks_evidence(self, test: TestItem) -> Iterator[Evidence]:
        for mark in test.marks:
            signal = self._marks.get(mark)
            if signal is not None:
                text = f"{signal.what} (@pytest.mark.{mark})"
                yield Evidence(signal.tier, Level.MARK, text, test.path, test.line, signal.id, mark)

    def _layout_evidence(
        self, test: TestItem, *, measures: bool
    ) -> tuple[list[Evidence], list[Evidence]]:
        path = PurePosixPath(test.path)
        folders: list[Evidence] = []
        for folder in path.parts[:-1]:
            signal = self._folders.get(folder.lower())
            if signal is not None and (measures or not signal.measured):
                text = f"{signal.what} ({folder}/)"
                folders.append(Evidence(signal.tier, Level.FOLDER, text, test.path, 0, signal.id))
        names: list[Evidence] = []
        for word in path.stem.lower().split("_"):
            signal = self._names.get(word)
            if signal is not None and (measures or not signal.measured):
                text = f"its file's name says {word!r} ({path.name})"
                names.append(Evidence(signal.tier, Level.NAME, text, test.path, 0, signal.id))
        return folders, names


def _picked(urls: list[DatabaseUrl], defaults: frozenset[str]) -> list[DatabaseUrl]:
    """The URLs a plain run uses: of alternatives named in one file (a table of URLs by
    backend, the branches of an ``if db == "sqlite"``), the ones whose name is a default
    of the suite's options or environment variables (``parser.addoption("--db",
    default="sqlite")``), when there are such; every URL otherwise."""
    alternatives: dict[str, list[DatabaseUrl]] = {}
    for url in urls:
        if url.choice:
            alternatives.setdefault(url.path, []).append(url)
    picked: dict[int, DatabaseUrl] = {}
    dropped: set[int] = set()
    for group in alternatives.values():
        if any(u.choice in defaults for u in group):
            for url in group:
                if url.choice in defaults:
                    picked[id(url)] = replace(url, picked=True)
                else:
                    dropped.add(id(url))
    return [picked.get(id(u), u) for u in urls if id(u) not in dropped]


def _named(url: DatabaseUrl, tier: str, signal: str) -> Evidence:
    """`url` as evidence: the chain to the def naming it, where it keeps its data."""
    via = f"{url.via} -> " if url.via else ""
    text = f"{via}names the database it reaches: {url.describe()} (`{url.url}`)"
    if url.picked:
        text += f", the {url.choice!r} one of its alternatives, a plain run's default"
    return Evidence(tier, Level.REACH, text, url.path, url.line, signal, url.url)


def _patched(called: str, patched: list[tuple[str, str]]) -> str | None:
    """A ``mock.patch`` target naming the very call the evidence is about."""
    if not called:
        return None
    for target, where in patched:
        if target == called or target.endswith("." + called) or called.endswith("." + target):
            return f"mock.patch({target!r}) at {where}"
    return None


def _patched_on_the_way(text: str, patched: list[tuple[str, str]]) -> str | None:
    """A ``mock.patch`` of a def the evidence's chain goes through
    (``@patch.object(SQLAlchemy, "_make_engine")`` and ``... -> `SQLAlchemy._make_engine`
    (...) -> creates a SQLAlchemy engine``): what comes after it never runs."""
    for target, where in patched:
        parts = target.split(".")
        names = {f"`{'.'.join(parts[-2:])}` (", f"`{parts[-1]}` ("}
        if any(name in text for name in names):
            return f"mock.patch({target!r}) at {where}"
    return None


def classify(
    suite: Suite,
    resolution: Resolution,
    signals: SignalSet,
    *,
    cache_dir: Path | None = None,
    files: ParsedFiles | None = None,
) -> Tiers:
    """The tier of every test of the suite; the project modules its tests reach are
    summarised through a cache in `cache_dir` (None: not cached), from their trees in
    `files` when the rules parsed them already."""
    classifier = TierClassifier(suite, resolution, signals, cache_dir=cache_dir, files=files)
    return classifier.classify()
