"""Rule results cached per file, as ruff caches its diagnostics.

A rule's findings for a file are reused when nothing the rule could have read for it
changed. The key of a `check_file` result for file F is a digest of:

- the configuration and the tool (:meth:`RuleCache.global_key`): test-auditor's version
  and the size and mtime of every source file of the engine and of the selected rules
  (an edited rule or engine module is a new tool), the selected rules, the pytest options
  and ``[tool.test-auditor]`` settings (rule options), the rootdir, whether the analysis
  is partial, the lists of the suite's files (an added or removed file re-runs everything),
  its plugins, its autouse table, and the plugin modules outside the rootdir that define
  fixtures (path, size, mtime);
- F's content, and the content of F's neighbourhood (:meth:`RuleCache.neighbourhood`): its
  conftest chain, the files defining the fixtures its tests and fixtures get, request or
  name (transitively, through what those fixtures request, each with its conftest chain),
  the files of the tests and fixtures that request the fixtures defined in F, and the
  suite's modules F imports, transitively (found by name in its import statements: a
  superset);
- what the model says of F: its tests, their resolved closures, the fixtures defined in F,
  what they request and who requests them, and for every fixture F's code reaches (as
  above) its definition and what it requests as resolved (an override added in another
  module gives a fixture of F's closure one more request edge: F's key changes with it)
  (:meth:`RuleCache.model_facts`);
- the code beside the suite (:meth:`RuleCache.project_key`): every Python file under the
  rootdir but the suite's test modules and conftests, by size and mtime. Rules follow calls into
  the project's modules (``from app import jobs``, a helper that builds an engine) and
  into the suite's helper modules from there; an edit of the code under test or of a
  helper re-runs them everywhere, an edit of a test module or a conftest only where it
  can matter.

A rule whose `check_file` reads more of the suite than that (``Rule.cache_scope =
"suite"``, the default for rules that do not say) is keyed on the content of every file of
the suite as well, and on the size and mtime of every Python file of the project. Rules
that read the whole suite (`check`) are keyed the same way: reused only when no file
changed.

A file-scoped rule may also read a few precise facts of the whole suite, when it records
each question it asks and the answer (`auditor.lint.answers`): its findings for F are
then reused only when F's key matches and every question gets the same answer again.

Storage: one JSON file per rootdir beside the summaries,
``v<version>/rules-<rootdir hash>-<FORMAT>.json``, written atomically once per run. Reading
runs no code: findings are rebuilt field by field from plain JSON and checked against
their types; any entry of another shape is a miss (the rule runs again), never an error. A
rule that crashed on a file is not stored, so the crash is reported again next time.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePath

from auditor import __version__
from auditor.api import Rule, SuiteView
from auditor.config import CONFIG_NAMES
from auditor.lint import answers
from auditor.lint.answers import Asked
from auditor.lint.finding_codec import decode_findings, encode_finding
from auditor.lint.stamps import stat_of, tool_stamp, tree_stamp
from auditor.parse.cache import write_cache_file
from auditor.types import Finding

FORMAT = 2
"""Bumped when the layout of the rule cache file changes."""

_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+([.\w]+)[ \t]+import\b([^\n]*)|import[ \t]+([^\n]+))", re.M
)
_WORD = re.compile(r"\w+")


def _digest(*parts: str) -> str:
    blake = hashlib.blake2b(digest_size=16)
    for part in parts:
        blake.update(part.encode("utf-8", "surrogatepass"))
        blake.update(b"\0")
    return blake.hexdigest()


def canonical(value: object) -> object:
    """`value` as JSON-ready data that does not depend on hash seeds or set order."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, enum.Enum):
        return canonical(value.value)
    if isinstance(value, PurePath):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [
            type(value).__name__,
            *(
                canonical(getattr(value, f.name))
                for f in dataclasses.fields(value)
                if not f.name.startswith("_")
            ),
        ]
    if isinstance(value, (list, tuple)):
        return [canonical(item) for item in value]
    if isinstance(value, dict):
        items = [(str(k), canonical(v)) for k, v in value.items()]
        return sorted(items, key=lambda item: item[0])
    if isinstance(value, (set, frozenset)):
        return sorted((canonical(item) for item in value), key=_dumps)
    return repr(value)


def _dumps(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=repr)


# -- the cache -------------------------------------------------------------------------


class RuleCache:
    """Per-file and suite-wide rule results of one rootdir: load once, look up and store
    many times, save once."""

    def __init__(self, cache_dir: Path, view: SuiteView, rules: Sequence[type[Rule]]) -> None:
        self.cache_dir = cache_dir
        self.view = view
        self.rootdir = view.rootdir
        key = hashlib.blake2b(str(self.rootdir).encode(), digest_size=8).hexdigest()
        self.file = cache_dir / f"v{__version__}" / f"rules-{key}-{FORMAT}.json"
        self.rules = list(rules)
        self.files: dict[str, dict[str, tuple[str, tuple[Finding, ...], Asked]]] = {}
        self.suite: dict[str, tuple[str, tuple[Finding, ...]]] = {}
        self._raw_files: dict[str, object] = {}
        self._raw_suite: dict[str, object] = {}
        self._load()
        self.dirty = False
        self._contents: dict[str, str] = {}
        self._texts: dict[str, str] = {}
        self._direct: dict[str, frozenset[str]] = {}
        """Per suite file, the suite files its import statements name."""
        self._global: str | None = None
        self._everything: str | None = None
        self._project: str | None = None
        self._tree: list[tuple[str, int, int]] | None = None
        self._file_keys: dict[str, str] = {}
        self._indexes: _Indexes | None = None

    # -- reading and writing --

    def _load(self) -> None:
        try:
            data = json.loads(self.file.read_bytes())
        except (OSError, ValueError, RecursionError):
            return
        if (
            not isinstance(data, dict)
            or data.get("format") != FORMAT
            or data.get("version") != __version__
            or not isinstance(data.get("files"), dict)
            or not isinstance(data.get("suite"), dict)
        ):
            return
        self._raw_files = data["files"]
        self._raw_suite = data["suite"]

    def _entry(self, raw: object, key: str) -> tuple[Finding, ...] | None:
        if not isinstance(raw, list) or len(raw) != 2 or raw[0] != key:
            return None
        return decode_findings(raw[1])

    def file_results(self, path: str, rule: Rule) -> tuple[Finding, ...] | None:
        """The stored findings of `rule` on `path` when its key still matches and the
        questions it asked of the suite get the same answers."""
        kind = type(rule)
        key = self.file_key(path, kind)
        stored = self.files.get(path, {}).get(kind.code)
        if stored is None:
            per_file = self._raw_files.get(path)
            if not isinstance(per_file, dict):
                return None
            stored = self._file_entry(per_file.get(kind.code), key)
            if stored is None:
                return None
            self.files.setdefault(path, {})[kind.code] = stored
        if stored[0] != key or not answers.still_hold(rule, self.view, path, stored[2]):
            return None
        return stored[1]

    def _file_entry(self, raw: object, key: str) -> tuple[str, tuple[Finding, ...], Asked] | None:
        if not isinstance(raw, list) or len(raw) != 3 or raw[0] != key:
            return None
        found = decode_findings(raw[1])
        asked = answers.decode(raw[2])
        return None if found is None or asked is None else (key, found, asked)

    def store_file(
        self, path: str, rule: type[Rule], findings: Iterable[Finding], asked: Asked = ()
    ) -> None:
        key = self.file_key(path, rule)
        self.files.setdefault(path, {})[rule.code] = (key, tuple(findings), asked)
        self.dirty = True

    def suite_results(self, rule: type[Rule]) -> tuple[Finding, ...] | None:
        key = self.suite_key()
        stored = self.suite.get(rule.code)
        if stored is not None:
            return stored[1] if stored[0] == key else None
        found = self._entry(self._raw_suite.get(rule.code), key)
        if found is not None:
            self.suite[rule.code] = (key, found)
        return found

    def store_suite(self, rule: type[Rule], findings: Iterable[Finding]) -> None:
        self.suite[rule.code] = (self.suite_key(), tuple(findings))
        self.dirty = True

    def save(self, *, keep_others: bool = False) -> None:
        """Write atomically the entries of this run, and with `keep_others` (a partial
        run) the stored ones of the other files too; a cache that cannot be written is
        skipped."""
        if not self.dirty:
            return
        files: dict[str, dict[str, object]] = {}
        if keep_others:
            for path, raw in self._raw_files.items():
                if isinstance(raw, dict):
                    files[path] = dict(raw)
        for path, results in self.files.items():
            merged = files.get(path) or {}
            for code, (key, findings, asked) in results.items():
                encoded = [encode_finding(f) for f in findings]
                questions = answers.encode(asked)
                if any(item is None for item in encoded) or questions is None:
                    merged.pop(code, None)
                    continue
                merged[code] = [key, encoded, questions]
            files[path] = merged
        suite: dict[str, object] = dict(self._raw_suite)
        for code, (key, findings) in self.suite.items():
            encoded = [encode_finding(f) for f in findings]
            if any(item is None for item in encoded):
                suite.pop(code, None)
            else:
                suite[code] = [key, encoded]
        document = {"format": FORMAT, "version": __version__, "files": files, "suite": suite}
        if not write_cache_file(self.cache_dir, self.file, document):
            return
        self.dirty = False

    # -- keys --

    def file_key(self, path: str, rule: type[Rule]) -> str:
        key = self._file_keys.get(path)
        if key is None:
            key = self._file_keys[path] = self._compute_file_key(path)
        if rule.cache_scope == "file":
            return _digest("file", key, self.project_key())
        return _digest("suite", key, self._everything_key())

    def suite_key(self) -> str:
        return _digest("check", self.global_key(), self._everything_key())

    def content(self, path: str) -> str:
        """The digest of a file's bytes ("-" when it cannot be read)."""
        found = self._contents.get(path)
        if found is None:
            try:
                data = (self.rootdir / path).read_bytes()
            except OSError:
                data = None
            found = "-" if data is None else hashlib.blake2b(data, digest_size=16).hexdigest()
            self._texts[path] = "" if data is None else data.decode("utf-8", "replace")
            self._contents[path] = found
        return found

    def _text(self, path: str) -> str:
        self.content(path)
        return self._texts.get(path, "")

    def global_key(self) -> str:
        if self._global is None:
            suite = self.view.suite
            config = self.view.config
            outside = sorted(
                {d.path for d in suite.fixtures if d.path and d.path.startswith(("/", ".."))}
            )
            facts = [
                FORMAT,
                __version__,
                tool_stamp(self.rules),
                [(r.code, r.__module__, r.__qualname__, r.cache_scope) for r in self.rules],
                canonical(config.pytest),
                canonical(config.auditor),
                str(self.rootdir),
                self.view.partial,
                sorted(suite.test_files),
                sorted(suite.conftests),
                sorted(suite.other_files),
                sorted(suite.helpers),
                sorted(suite.modules),
                canonical(suite.plugins),
                canonical(suite.dynamic_plugins),
                canonical(suite.pytest_version),
                canonical(suite.autouse),
                canonical(suite.packages),
                canonical(suite.generate_tests_hooks),
                canonical(suite.environment),
                [(p, stat_of(self.rootdir / p)) for p in outside],
            ]
            self._global = _digest(_dumps(facts))
        return self._global

    def _everything_key(self) -> str:
        """Every file of the suite by content, every file of the project and the
        configuration files of the rootdir and above by size and mtime."""
        if self._everything is None:
            suite = self.view.suite
            paths = sorted(
                {*suite.test_files, *suite.conftests, *suite.other_files, *suite.helpers}
            )
            contents = [(p, self.content(p)) for p in paths]
            configs = [
                (str(folder / name), stat_of(folder / name))
                for folder in (self.rootdir, *list(self.rootdir.parents)[:2])
                for name in CONFIG_NAMES
            ]
            self._everything = _digest(
                self.global_key(),
                _dumps(contents),
                _dumps(configs),
                _dumps(self._tree_stamp()),
            )
        return self._everything

    def project_key(self) -> str:
        """Every Python file under the rootdir but the suite's test modules and conftests
        (whose content the neighbourhoods cover), by path, size and mtime: per-file rules
        read other files only as Python source (the configuration is in the global key)."""
        if self._project is None:
            suite = self.view.suite
            covered = {str(self.rootdir / p) for p in (*suite.test_files, *suite.conftests)}
            rest = [
                entry
                for entry in self._tree_stamp()
                if entry[0].endswith(".py") and entry[0] not in covered
            ]
            self._project = _digest(self.global_key(), _dumps(rest))
        return self._project

    def _tree_stamp(self) -> list[tuple[str, int, int]]:
        if self._tree is None:
            self._tree = tree_stamp(self.rootdir, self.cache_dir)
        return self._tree

    def _compute_file_key(self, path: str) -> str:
        neighbours = sorted(self.neighbourhood(path) - {path})
        return _digest(
            self.global_key(),
            path,
            self.content(path),
            _dumps([(p, self.content(p)) for p in neighbours]),
            _dumps(self.model_facts(path)),
        )

    def indexes(self) -> _Indexes:
        if self._indexes is None:
            self._indexes = _Indexes(self.view)
        return self._indexes

    def neighbourhood(self, path: str) -> set[str]:
        """The files a per-file rule may read for `path` besides `path` itself."""
        index = self.indexes()
        found: set[str] = set(index.chain(path))
        keys = index.keys_of(path)
        names = index.names_of(path)
        for own in self.view.fixtures_in(path):
            found.update(index.consumer_paths.get(own.key, ()))
        for name in names:
            found.update(index.paths_by_name.get(name, ()))
        for key in keys:
            definition = index.definitions.get(key)
            if definition is not None:
                found.add(definition.path)
                found.update(index.chain(definition.path))
        found.update(self._imported(path))
        return {p for p in found if p and not p.startswith(("/", ".."))}

    def _imported(self, path: str) -> set[str]:
        """Suite files whose module name matches a word of `path`'s import statements,
        and theirs in turn."""
        index = self.indexes()
        seen: set[str] = set()
        pending = [path]
        while pending:
            current = pending.pop()
            direct = self._direct.get(current)
            if direct is None:
                words = _import_words(self._text(current))
                direct = frozenset(
                    other for word in words for other in index.paths_by_stem.get(word, ())
                )
                self._direct[current] = direct
            for other in direct:
                if other not in seen and other != path:
                    seen.add(other)
                    pending.append(other)
        return seen

    def model_facts(self, path: str) -> object:
        index = self.indexes()
        resolution = self.view.resolution
        tests = self.view.tests_in(path)
        definitions = self.view.fixtures_in(path)
        return [
            canonical(tests),
            [canonical(resolution.tests.get(t.nodeid)) for t in tests],
            [canonical(resolution.requests(t.nodeid)) for t in tests],
            canonical(definitions),
            [canonical(resolution.requests(d.key)) for d in definitions],
            [sorted(index.consumer_ids.get(d.key, ())) for d in definitions],
            [resolution.used_by.get(d.key, 0) for d in definitions],
            [index.key_facts(key) for key in sorted(index.keys_of(path))],
        ]


class _Indexes:
    """What the neighbourhoods are computed from, indexed once per run."""

    def __init__(self, view: SuiteView) -> None:
        suite = view.suite
        resolution = view.resolution
        self.view = view
        self.definitions = resolution.definitions
        self._keys: dict[str, frozenset[str]] = {}
        self._key_facts: dict[str, str] = {}
        self.paths_by_name: dict[str, set[str]] = {}
        for definition in suite.fixtures:
            self.paths_by_name.setdefault(definition.name, set()).add(definition.path)
        test_paths = {t.nodeid: t.path for t in suite.tests}
        self.consumer_paths: dict[str, set[str]] = {}
        self.consumer_ids: dict[str, set[str]] = {}
        for nodeid, fixtures in resolution.tests.items():
            for key in fixtures.definitions:
                self.consumer_ids.setdefault(key, set()).add(nodeid)
                if nodeid in test_paths:
                    self.consumer_paths.setdefault(key, set()).add(test_paths[nodeid])
        for edge in resolution.edges:
            source = resolution.definitions.get(edge.source)
            where = source.path if source is not None else test_paths.get(edge.source)
            if where is not None:
                self.consumer_paths.setdefault(edge.target, set()).add(where)
                self.consumer_ids.setdefault(edge.target, set()).add(edge.source)
        self.conftest_dirs: dict[str, str] = {}
        for conftest in suite.conftests:
            self.conftest_dirs[conftest.rpartition("/")[0]] = conftest
        self.paths_by_stem: dict[str, set[str]] = {}
        for path in {*suite.test_files, *suite.conftests, *suite.other_files, *suite.helpers}:
            stem = path.rsplit("/", 1)[-1].removesuffix(".py")
            if stem == "__init__":
                stem = path.rsplit("/", 2)[-2] if "/" in path else ""
            self.paths_by_stem.setdefault(stem, set()).add(path)

    def chain(self, path: str) -> list[str]:
        parts = path.split("/")[:-1]
        folders = ["", *("/".join(parts[: i + 1]) for i in range(len(parts)))]
        return [self.conftest_dirs[f] for f in folders if f in self.conftest_dirs]

    def key_facts(self, key: str) -> str:
        """A digest of a fixture's definition and its request edges, as resolved."""
        found = self._key_facts.get(key)
        if found is None:
            resolution = self.view.resolution
            facts = [key, canonical(self.definitions.get(key)), canonical(resolution.requests(key))]
            found = self._key_facts[key] = _digest(_dumps(facts))
        return found

    def keys_of(self, path: str) -> set[str]:
        """Fixture keys the tests and fixtures of `path` get, request, or define."""
        found = self._keys.get(path)
        if found is None:
            found = self._keys[path] = frozenset(self._keys_of(path))
        return set(found)

    def _keys_of(self, path: str) -> set[str]:
        resolution = self.view.resolution
        keys: set[str] = set()
        pending: list[str] = []
        for test in self.view.tests_in(path):
            fixtures = resolution.tests.get(test.nodeid)
            if fixtures is not None:
                keys.update(fixtures.definitions)
            pending.extend(e.target for e in resolution.requests(test.nodeid))
        pending.extend(definition.key for definition in self.view.fixtures_in(path))
        seen: set[str] = set()
        while pending:
            key = pending.pop()
            if key in seen:
                continue
            seen.add(key)
            pending.extend(edge.target for edge in resolution.requests(key))
        return keys | seen

    def names_of(self, path: str) -> set[str]:
        names: set[str] = set()
        for test in self.view.tests_in(path):
            names.update(test.argnames)
        for definition in self.view.fixtures_in(path):
            names.update(definition.argnames)
        summary = self.view.suite.modules.get(path) or self.view.suite.helpers.get(path)
        if summary is not None:
            for function, _ in summary.defs():
                names.update(p.name for p in function.params)
        return names


def _import_words(text: str) -> set[str]:
    words: set[str] = set()
    for match in _IMPORT.finditer(text):
        module, names, plain = match.groups()
        words.update(_WORD.findall(" ".join(part for part in (module, names, plain) if part)))
    return words
