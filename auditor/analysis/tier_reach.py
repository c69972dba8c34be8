"""Reach evidence of the tiers: what a def of the suite calls, through the suite's helper
functions it calls, the defs of the project's own modules they call (at most
``project-reach`` deep; from those, what they reach, the database URLs they name as
defaults and the clock readings of a timer class the test uses directly, never their
asserts or loops) and the fixtures a test requests, matched against the signal packs of
`auditor.analysis.tier_signals` (an engine, a socket, a subprocess, a timed assertion...),
the mocks seen on the way (`auditor.analysis.tiers` sets aside what they mock), and the
database URLs the code names (`database_url`: in memory, a file or a server), which tell
where an engine or a session keeps its data: a literal in the def, or a module-level
constant bound to one that a def reaching stored data names (``DB_URL = "sqlite://"`` and
``create_engine(DB_URL)``, in its module or imported from the suite's or the project's)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath

from auditor.analysis.suite_code import CodeDef, SuiteCode
from auditor.analysis.tier_model import Evidence, Level
from auditor.analysis.tier_signals import Signal, SignalSet
from auditor.model.suite import FixtureDef, Suite
from auditor.parse.summary import Reach
from auditor.parse.trees import ParsedFiles

_HELPER_DEPTH = 4
_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request"})
_DOUBLES = ("Fake", "Stub", "Dummy", "Mock", "InMemory")
_CACHES = frozenset({"functools.lru_cache", "functools.cache", "functools.cached_property"})

MEMORY, FILE, SERVER = "memory", "file", "server"
"""Where a database URL keeps its data (`database_url`)."""

_EMBEDDED = {"sqlite": "SQLite", "duckdb": "DuckDB"}
_SERVERS = {
    "postgresql": "PostgreSQL",
    "postgres": "PostgreSQL",
    "pgsql": "PostgreSQL",
    "cockroachdb": "CockroachDB",
    "redshift": "Redshift",
    "mysql": "MySQL",
    "mariadb": "MariaDB",
    "mssql": "SQL Server",
    "oracle": "Oracle",
    "firebird": "Firebird",
    "sybase": "Sybase",
    "db2": "Db2",
    "ibm_db_sa": "Db2",
    "snowflake": "Snowflake",
    "clickhouse": "ClickHouse",
    "trino": "Trino",
    "presto": "Presto",
    "bigquery": "BigQuery",
    "mongodb": "MongoDB",
}
_IN_MEMORY_SCHEMES = {"mongomock": "mongomock"}


@dataclass(frozen=True, slots=True)
class DatabaseUrl:
    """A database URL literal the code names, where it keeps its data, and where it is."""

    url: str
    where: str
    """`MEMORY`, `FILE` or `SERVER`."""
    engine: str
    path: str
    line: int
    via: str = ""
    """How the test reaches the def that names it (a fixture chain, a helper)."""
    project: bool = False
    """Named in the project's code (a default), not in the suite's."""
    choice: str = ""
    """The name it is picked by among alternatives (its key in a table of URLs, the
    string an ``if`` compares with); "" for a URL named on its own."""
    picked: bool = False
    """One of alternatives, the one a plain run picks (`choice` is a default the suite's
    options or environment variables name)."""

    def __str__(self) -> str:
        place = f"`{self.url}` ({self.path}:{self.line})"
        return f"{self.via} -> {place}" if self.via else place

    def describe(self) -> str:
        if self.where == MEMORY:
            return f"an in-memory {self.engine} database"
        if self.where == FILE:
            return f"a {self.engine} database file"
        return f"a {self.engine} server"


def database_url(text: str) -> tuple[str, str] | None:
    """(where, engine) of a database URL: `MEMORY` for in-memory SQLite (``sqlite://``,
    ``sqlite:///:memory:``, ``sqlite:///file:x?mode=memory``), `FILE` for a database
    file (``sqlite:///app.db``; a bare ``sqlite:///`` too, the head of a path joined on
    in an f-string or a concatenation), `SERVER` for a server's (``postgresql://...``);
    None for any other URL (``https://...``)."""
    if text == ":memory:" or text.startswith("file::memory:"):
        return MEMORY, "SQLite"  # sqlite3.connect(":memory:"), if the parse stage records it
    scheme, found, rest = text.partition("://")
    if not found:
        return None
    dialect = scheme.lower().partition("+")[0]
    if dialect in _IN_MEMORY_SCHEMES:
        return MEMORY, _IN_MEMORY_SCHEMES[dialect]
    if dialect in _SERVERS:
        return SERVER, _SERVERS[dialect]
    if dialect not in _EMBEDDED:
        return None
    engine = _EMBEDDED[dialect]
    database, _, query = rest.removeprefix("/").partition("?")
    if not rest or rest.startswith("?"):
        return MEMORY, engine
    if database == ":memory:" or database.startswith("file::memory:") or "mode=memory" in query:
        return MEMORY, engine
    return FILE, engine


@dataclass(slots=True)
class Facts:
    """What one def does, its helpers included."""

    hits: list[Evidence] = field(default_factory=list)
    mocks: dict[str, str] = field(default_factory=dict)
    """Mocked family -> what mocks it, where."""
    patched: list[tuple[str, str]] = field(default_factory=list)
    """(patch target, where) of ``mock.patch("...")`` calls."""
    timers: list[tuple[str, int, str]] = field(default_factory=list)
    ordering: list[tuple[int, str]] = field(default_factory=list)
    concurrency: list[tuple[str, int, str]] = field(default_factory=list)
    loops: list[tuple[int, int, str]] = field(default_factory=list)
    urls: list[DatabaseUrl] = field(default_factory=list)
    """Database URL literals of the def, its helpers and fixtures."""

    def absorb(self, other: Facts, via: str = "", *, timing: bool = True) -> None:
        """Take in a helper's or a fixture's facts; a fixture's timing and loops say
        nothing about the test that requests it (`timing` False)."""
        self.hits.extend(_via(e, via) for e in other.hits)
        for family, text in other.mocks.items():
            self.mocks.setdefault(family, f"{via} -> {text}" if via else text)
        self.patched.extend(other.patched)
        self.urls.extend(_url_via(u, via) for u in other.urls)
        if not timing:
            return
        self.timers.extend(other.timers)
        self.ordering.extend(other.ordering)
        self.concurrency.extend(other.concurrency)
        self.loops.extend(other.loops)

    def absorb_project(
        self, other: Facts, via: str, *, direct: bool, lightest: str, lazy: frozenset[str]
    ) -> None:
        """Take in the facts of a def of the project: what it reaches (not what it
        doubles: `lightest` tier hits are left out; nor the `lazy` signals' factories,
        which connect only when used), the database URLs it names as
        defaults, and, called `direct` from the suite's code (a timer class the test
        uses), its clock readings; never its asserts, loops or workers."""
        self.hits.extend(
            _via(e, via) for e in other.hits if e.tier != lightest and e.signal not in lazy
        )
        self.urls.extend(replace(_url_via(u, via), project=True) for u in other.urls)
        if direct:
            plain = via.replace("`", "")
            self.timers.extend(
                (f"{plain} -> {name}", line, path) for name, line, path in other.timers
            )

    def measures(self) -> bool:
        """Does the def read a clock, loop, or run things concurrently?"""
        return bool(self.timers or self.concurrency or any(c >= 10 for c, _, _ in self.loops))


def _url_constants(tree: ast.Module) -> dict[str, tuple[str, int]]:
    """``NAME = "sqlite://"`` (or ``NAME: str = ...``) at a module's top level: name ->
    (URL, line), for the literals `database_url` reads."""
    found: dict[str, tuple[str, int]] = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target: ast.expr = statement.targets[0]
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            target = statement.target
        else:
            continue
        value = statement.value
        if not isinstance(target, ast.Name):
            continue
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            if database_url(value.value) is not None:
                found[target.id] = (value.value, statement.lineno)
            else:
                found.pop(target.id, None)  # bound again to something else: the last wins
        else:
            found.pop(target.id, None)
    return found


def _label(helper: CodeDef, reach: Reach | None) -> str:
    """How a chain names a def it goes through: ``Repository.__init__` (app/db.py:12)``,
    with the cache a getter is wrapped in (``lru_cache``)."""
    function = helper.function
    name = f"{helper.klass.name}.{function.name}" if helper.klass else function.name
    cached = ""
    if reach is not None:
        wrapped = [c.name for c in reach.calls if c.kind == "decorator"]
        caches = [w for w in wrapped if w in _CACHES]
        if caches:
            cached = f", cached by `{caches[0].rpartition('.')[2]}`"
    return f"`{name}` ({helper.path}:{function.line}{cached})"


def _via(evidence: Evidence, via: str) -> Evidence:
    return replace(evidence, text=f"{via} -> {evidence.text}") if via else evidence


def _url_via(url: DatabaseUrl, via: str) -> DatabaseUrl:
    if not via:
        return url
    return replace(url, via=f"{via} -> {url.via}" if url.via else via)


class ReachFinder:
    """The facts of the suite's defs and fixtures, each computed once, and the reach
    evidence they amount to."""

    def __init__(
        self, suite: Suite, signals: SignalSet, code: SuiteCode, files: ParsedFiles
    ) -> None:
        self.signals = signals
        self.code = code
        self.files = files
        """The run's trees, for the module-level URL constants a def names."""
        self._constants: dict[str, dict[str, tuple[str, int]]] = {}
        self._storage = frozenset(s.id for s in signals.signals if s.storage)
        self._facts: dict[tuple[str, int], tuple[int, Facts]] = {}
        """(path, line) -> (the project hops it was computed at, its facts): a def of the
        project first met deep in a chain, where the bound cut its reach short, is
        computed again when a shorter chain meets it."""
        self._reexports: dict[str, str] = {}
        """Call names as the modules they go through re-export them (`_reexported`)."""
        self._heads = frozenset(c.partition(".")[0] for s in signals.signals for c in s.calls)
        """The first parts of the names the signals know: a re-exported module is one."""
        self._fixture_facts: dict[str, Facts] = {}
        self._methods = {m: s for s in signals.with_field("methods") for m in s.methods}
        self._fixtures = {f: s for s in signals.with_field("fixtures") for f in s.fixtures}
        self._timers = {t: s for s in signals.with_field("timers") for t in s.timers}
        self._concurrency = {c: s for s in signals.with_field("concurrency") for c in s.concurrency}
        self._opens = signals.with_field("opens")
        self._prefixes = [(p, s) for s in signals.with_field("prefixes") for p in s.prefixes]
        self._suite_files = set(suite.test_files) | set(suite.conftests) | set(suite.helpers)
        """Files whose fixtures' bodies are read: their names say nothing more (a `connection`
        fixture of a base class in tests/__init__.py is not sqlalchemy.testing's)."""
        clients = signals.with_field("clients")
        self._app_client: Signal | None = clients[0] if clients else None
        self._reads = signals.with_field("reads")
        self._lazy = frozenset(s.id for s in signals.with_field("lazy"))
        self.defaults = frozenset(
            c.name
            for d in code.by_line.values()
            if d.function.reach is not None
            for c in d.function.reach.calls
            if c.kind == "default"
        )
        """The string defaults of the suite's command-line options and environment
        variables (``parser.addoption("--db", default="sqlite")``): what a plain run picks
        among alternatives (`DatabaseUrl.choice`)."""

    def fixture_facts(self, definition: FixtureDef) -> Facts:
        """What a fixture does: its def's facts, or for a fixture of an installed plugin,
        what its name is known to reach."""
        known = self._fixture_facts.get(definition.key)
        if known is not None:
            return known
        facts = Facts()
        where = self.code.by_line.get((definition.path, definition.line))
        if where is not None:
            facts.absorb(self.facts(where, depth=0))
        if definition.path not in self._suite_files:
            signal = self._fixtures.get(definition.name)
            if signal is not None:
                text = f"{signal.what} (`{definition.name}`)"
                self._hit(facts, signal, text, definition.path, definition.line, definition.name)
        self._fixture_facts[definition.key] = facts
        return facts

    def facts(self, where: CodeDef, depth: int, hops: int = 0) -> Facts:
        """What a def does: its calls matched against the signals, and the facts of the
        suite's helpers it calls (`depth` of them deep so far) and of the project's defs
        (`hops` of them deep so far)."""
        key = (where.path, where.function.line)
        known = self._facts.get(key)
        if known is not None and known[0] <= hops:
            return known[1]
        facts = Facts()
        self._facts[key] = (hops, facts)  # guards against recursion
        reach = self.code.reach(where)
        if reach is None:
            return facts
        path = where.path
        in_project = self.code.is_project(path)
        methods = {c.name.rpartition(".")[2] for c in reach.calls if "." in c.name}
        patched = {c.name for c in reach.calls if c.kind == "patch"}
        for call in reach.calls:
            name = self._reexported(call.name) if call.kind == "call" else call.name
            self._match(facts, name, call.kind, path, call.line, methods)
            if call.kind != "call" or call.name in patched:  # a mocked def is not run
                continue
            if not in_project:
                self._client(facts, where, call.name, path, call.line)
            further = hops < self.signals.project_reach
            for helper in self.code.resolve(where, call.name, project=further):
                if helper.function is where.function:
                    continue
                if self.code.is_project(helper.path):
                    if hops < self.signals.project_reach:
                        found = self.facts(helper, depth, hops + 1)
                        label = _label(helper, self.code.reach(helper))
                        lightest = self.signals.tiers[0]
                        facts.absorb_project(
                            found, label, direct=hops == 0, lightest=lightest, lazy=self._lazy
                        )
                elif depth < _HELPER_DEPTH and not in_project:
                    label = _label(helper, helper.function.reach)
                    facts.absorb(self.facts(helper, depth + 1), label)
        if not in_project:
            facts.ordering.extend((line, path) for line in reach.ordering_asserts)
            facts.loops.extend((count, line, path) for count, line in reach.loops)
            if any(e.signal in self._storage for e in facts.hits):
                facts.urls.extend(self._constant_urls(where))
        return facts

    def _constant_urls(self, where: CodeDef) -> list[DatabaseUrl]:
        """The database URLs of the module-level constants a def of the suite names
        (``engine = create_engine(DB_URL)`` under ``DB_URL = "sqlite://"``), bound in its
        module or imported by name from another: the parse stage records literals, not
        the names that stand for them."""
        parsed = self.files.get(where.path)
        node = parsed.def_at(where.function.line) if parsed is not None else None
        if node is None:
            return []
        names = [n for n in ast.walk(node) if isinstance(n, ast.Name)]
        local = {n.id for n in names if not isinstance(n.ctx, ast.Load)}
        local.update(a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg))
        found: list[DatabaseUrl] = []
        for name in sorted({n.id for n in names} - local):  # a local of the same name is not it
            place: tuple[str, str] | None = (where.path, name)
            if name not in self._module_urls(where.path):
                place = self.code.imported_from(where.path, name)
            constant = self._module_urls(place[0]).get(place[1]) if place else None
            known = database_url(constant[0]) if constant else None
            if place and constant and known:
                url, line = constant
                found.append(DatabaseUrl(url, known[0], known[1], place[0], line))
        return found

    def _module_urls(self, path: str) -> dict[str, tuple[str, int]]:
        """Module-level names bound to a database URL literal, with the URL and its line."""
        known = self._constants.get(path)
        if known is None:
            parsed = self.files.get(path)
            known = self._constants[path] = _url_constants(parsed.tree) if parsed else {}
        return known

    def _client(self, facts: Facts, where: CodeDef, name: str, path: str, line: int) -> None:
        """A client class of the suite's or the project's own that answers HTTP verbs
        (``TestClient(app)`` of a home-grown framework): one call through it drives the
        app's routing, middleware, services and storage in process."""
        last = name.rpartition(".")[2]
        if not last.endswith("Client") or last.startswith(_DOUBLES):
            return
        found = self.code.klass(where, name)
        if found is None:
            return
        klass_path, klass = found
        verbs = {f.name for f in klass.functions} & _VERBS
        if len(verbs) < 2:
            return
        signal = self._app_client
        if signal is None:
            return
        where_defined = f"{klass_path}:{klass.line}"
        text = f"{signal.what} (`{last}` of {where_defined}: {', '.join(sorted(verbs))})"
        self._hit(facts, signal, text, path, line, name)

    def plugin_fixture(self, facts: Facts, name: str, path: str, line: int) -> None:
        """A fixture requested by name with no definition in sight (its plugin is not
        installed where the audit runs): the name is all there is to go on."""
        signal = self._fixtures.get(name)
        if signal is not None:
            text = f"{signal.what} (`{name}`, a fixture of a plugin not installed here)"
            self._hit(facts, signal, text, path, line, name)

    def _reexported(self, name: str) -> str:
        """A call through a module another module re-exports (``from sqlite_utils.utils
        import sqlite3``; ``sqlite3.connect(path)``), named by the module it is, when the
        signals know that name: the modules on the way are looked up only then."""
        known = self._reexports.get(name)
        if known is not None:
            return known
        found = name
        parts = name.split(".")
        starts = [i for i in range(1, len(parts) - 1) if parts[i] in self._heads]
        if starts and not self.signals.by_call(name):
            for start in starts:
                if self.signals.by_call(".".join(parts[start:])):
                    spelled = self.code.reexported(name, start)
                    if spelled is not None and self.signals.by_call(spelled):
                        found = spelled
                        break
        self._reexports[name] = found
        return found

    def _match(
        self, facts: Facts, name: str, kind: str, path: str, line: int, methods: set[str]
    ) -> None:
        if kind == "patch":
            facts.patched.append((name, f"{path}:{line}"))
            return
        if kind == "url":
            found = database_url(name)
            if found is not None:
                facts.urls.append(DatabaseUrl(name, found[0], found[1], path, line))
            return
        if kind == "url-choice":  # follows the "url" it names, on its line
            url = facts.urls[-1] if facts.urls else None
            if url is not None and (url.path, url.line) == (path, line) and not url.choice:
                facts.urls[-1] = replace(url, choice=name)
            return
        if kind in ("open-read", "project-file"):
            for signal in self._reads:
                shown = f"open({name!r})" if kind == "open-read" else name
                self._hit(facts, signal, f"{signal.what} (`{shown}`)", path, line, name)
            return
        if kind == "open-write":
            for signal in self._opens:
                if name != "?" and not PurePosixPath(name).is_absolute():
                    text = f"{signal.what} (`open({name!r})`)"
                    self._hit(facts, signal, text, path, line, name)
            return
        if kind not in ("call", "decorator"):
            return
        for signal in self.signals.by_call(name):
            if name in signal.constructors and methods.isdisjoint(signal.requests):
                continue
            self._hit(facts, signal, f"{signal.what} (`{name}`)", path, line, name)
        method = name.rpartition(".")[2]
        if "." in name and method in self._methods:
            signal = self._methods[method]
            self._hit(facts, signal, f"{signal.what} (`.{method}()`)", path, line, name)
        last = name.rpartition(".")[2]
        for prefix, signal in self._prefixes:
            if last.startswith(prefix) and last[len(prefix) : len(prefix) + 1].isupper():
                self._hit(facts, signal, f"{signal.what} (`{last}`)", path, line, name)
                break
        if name in self._timers:
            facts.timers.append((name, line, path))
        if name in self._concurrency:
            facts.concurrency.append((name, line, path))

    def _hit(
        self, facts: Facts, signal: Signal, text: str, path: str, line: int, subject: str
    ) -> None:
        if signal.mocks:
            for family in signal.mocks:
                facts.mocks.setdefault(family, f"{text} at {path}:{line}")
            return
        facts.hits.append(Evidence(signal.tier, Level.REACH, text, path, line, signal.id, subject))

    def evidence(self, facts: Facts) -> list[Evidence]:
        """The reach evidence of `facts`: what was hit, a timed assertion, and work run
        concurrently over many iterations."""
        found = list(facts.hits)
        measured = len(facts.timers) >= 2 or any(t[0].startswith("timeit.") for t in facts.timers)
        for signal in self._timers.values():
            if measured and facts.ordering:
                name, line, path = facts.timers[0]
                assert_line, assert_path = facts.ordering[0]
                text = (
                    f"{signal.what} (`{name}` at {path}:{line}, "
                    f"assert at {assert_path}:{assert_line})"
                )
                found.append(Evidence(signal.tier, Level.REACH, text, path, line, signal.id))
            break
        for signal in {id(s): s for s in self._concurrency.values()}.values():
            loops = [loop for loop in facts.loops if loop[0] >= signal.iterations]
            used = [c for c in facts.concurrency if c[0] in signal.concurrency]
            if used and loops:
                name, line, path = used[0]
                text = f"{signal.what} (`{name}` over {loops[0][0]} iterations)"
                found.append(Evidence(signal.tier, Level.REACH, text, path, line, signal.id))
        return found
