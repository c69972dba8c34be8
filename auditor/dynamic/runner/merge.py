"""`test-auditor leaks merge`: the JSON reports of `leaks --shard I/N --seed S` joined into
one report of the whole suite.

Each shard's report is read back into a :class:`~auditor.dynamic.runner.result.LeakReport`
(the inverse of :func:`auditor.report.leaks_report.leaks_dict`, every field it reads
checked), the reports are checked to be the shards of one hunt (the same seed, shard
count, paths and pytest arguments; each shard once), and joined field by field:

* what a shard found about its own tests (pairs, brittle, flaky, cleaners, failing,
  unresolved, the state each test left behind, coverage) is concatenated in shard order:
  shards hold disjoint modules, so nothing is counted twice, and duplicates (the same pair
  twice) are dropped all the same;
* what every shard sees alike is kept once: collection errors (each machine collects the
  whole suite before it keeps its part), crashes and tests that never ran, notes (a note
  only some shards made is prefixed with them);
* costs add up: test executions (and per phase), pytest processes, seconds (machine time,
  not wall time: the shards ran side by side), tests; rounds, runs, restored files and database
  rows are listed per shard, their labels prefixed with the shard;
* fields a newer `leaks` writes that this reader does not know are kept when they are
  objects of numbers (added up key by key), otherwise dropped with a note. The per-test
  profile stays in the shards' reports (each is flagged against its own run).

The merged report has ``"shard": null`` and ``"shards"``: the parts it joins; it can be
merged again with other parts of the same hunt.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from auditor.dynamic.probes import Change
from auditor.dynamic.runner.database_guard import RestoredRows
from auditor.dynamic.runner.endings import Crash
from auditor.dynamic.runner.result import Brittle, Cleaner, Flaky, LeakReport, Pair, Round
from auditor.dynamic.runner.worktree import Restored
from auditor.dynamic.shards import Shard

VERSION = 1
UNSEEN = "state not seen by the probes"
"""What a pair without leaked state says instead (``Pair.state_text``)."""
KNOWN_FIELDS = frozenset(
    {
        "version",
        "seed",
        "test_executions",
        "executions_by_phase",
        "polluters",
        "victims",
        "brittle",
        "flaky",
        "cleaners",
        "failing",
        "unresolved",
        "crashed",
        "collection_errors",
        "files_restored",
        "databases_restored",
        "not_run",
        "pairs",
        "rootdir",
        "tests",
        "processes",
        "seconds",
        "rerun",
        "rounds",
        "state_left_behind",
        "runs",
        "notes",
        "shard",
        "shards",
        "coverage",
        "profile",
    }
)
"""The fields of a leaks report this module reads or rebuilds (polluters and victims are
rebuilt from the pairs, the profile is left to the shards' reports)."""


class MergeError(Exception):
    """A report that cannot be read, or reports that are not the shards of one hunt."""


@dataclass(frozen=True)
class Described(Change):
    """Leaked state known only by its description (a pair's, a brittle test's, or a report
    written before the reports carried each change's fields)."""

    text: str = ""
    PROBE: ClassVar[str] = "described"

    def describe(self) -> str:
        return self.text

    @classmethod
    def of(cls, text: str) -> Described:
        # before and after differ, so two descriptions never "undo" each other
        return cls(cls.PROBE, text, text, None, text=text)


@dataclass(frozen=True)
class Hunt:
    """What a report's ``rerun`` line says about its hunt (see ``LeaksOptions.rerun``)."""

    paths: tuple[str, ...] = ()
    pytest_args: tuple[str, ...] = ()
    options: tuple[tuple[str, str], ...] = ()
    """--rounds, --budget, --jobs, --coverage: how hard each shard hunted, not what."""
    shard: str = ""

    @classmethod
    def parse(cls, rerun: str) -> Hunt | None:
        """The rerun line's parts; None when it is not a `test-auditor leaks` line."""
        try:
            words = shlex.split(rerun)
        except ValueError:
            return None
        if words[:2] != ["test-auditor", "leaks"]:
            return None
        words = words[2:]
        pytest_args: list[str] = []
        if "--" in words:
            split = words.index("--")
            words, pytest_args = words[:split], words[split + 1 :]
        paths: list[str] = []
        options: list[tuple[str, str]] = []
        shard = ""
        position = 0
        while position < len(words):
            word = words[position]
            if word == "--coverage":
                options.append((word, ""))
            elif word in ("--seed", "--rounds", "--jobs", "--budget", "--shard"):
                value = words[position + 1] if position + 1 < len(words) else ""
                position += 1
                if word == "--shard":
                    shard = value
                elif word != "--seed":
                    options.append((word, value))
            elif word.startswith("-"):
                return None
            else:
                paths.append(word)
            position += 1
        return cls(tuple(paths), tuple(pytest_args), tuple(options), shard)


@dataclass
class ShardReport:
    """One report read back: the hunt it describes and where it came from."""

    path: Path
    report: LeakReport
    shards: list[Shard]
    hunt: Hunt | None
    extra: dict[str, Any] = field(default_factory=dict)
    """Fields this reader does not know."""
    content: str = ""
    """The report's JSON, canonical: the same report under two names counts once."""
    profiled: bool = False
    """It has a per-test profile (which the merged report leaves to the shards' reports)."""


@dataclass
class Merged:
    """The shards' reports joined: a report of the whole suite, and what it joined."""

    report: LeakReport
    shards: list[Shard]
    count: int
    missing: list[int]
    hunt: Hunt | None
    extra: dict[str, Any] = field(default_factory=dict)
    """Fields of newer reports this reader does not know, objects of numbers added up."""
    default_seconds: float = 0.0
    """The default-order runs of the shards, in all."""
    sizes: dict[int, int] = field(default_factory=dict)
    """Tests each shard hunted (the shards given as reports of one shard)."""

    def extra_json(self) -> dict[str, Any]:
        """The fields the JSON report adds to a single hunt's."""
        return {**self.extra, "shards": [str(shard) for shard in self.shards]}


# -- reading ----------------------------------------------------------------------------

T = TypeVar("T")


class _Fields:
    """Typed access to one report's JSON, with the path of each field in the errors."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, wanted: str, value: object) -> MergeError:
        shown = json.dumps(value)[:60]
        return MergeError(f"{self.source}: {where}: expected {wanted}, found {shown}")

    def get(self, data: Mapping[str, Any], key: str, where: str, kind: type[T], wanted: str) -> T:
        if key not in data:
            raise MergeError(f"{self.source}: {where}{key}: missing")
        value = data[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(f"{where}{key}", wanted, value)
        return value

    def text(self, data: Mapping[str, Any], key: str, where: str = "") -> str:
        return self.get(data, key, where, str, "a string")

    def integer(self, data: Mapping[str, Any], key: str, where: str = "") -> int:
        return self.get(data, key, where, int, "an integer")

    def number(self, data: Mapping[str, Any], key: str, default: float = 0.0) -> float:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(key, "a number", value)
        return float(value)

    def items(self, data: Mapping[str, Any], key: str, *, required: bool = False) -> list[Any]:
        if key not in data and not required:
            return []
        return self.get(data, key, "", list, "a list")

    def objects(
        self, data: Mapping[str, Any], key: str, *, required: bool = False
    ) -> list[tuple[str, dict[str, Any]]]:
        """The list ``key`` of objects, each with its path (``pairs[3].``) for errors."""
        found = []
        for index, item in enumerate(self.items(data, key, required=required)):
            where = f"{key}[{index}]"
            if not isinstance(item, dict):
                raise self.fail(where, "an object", item)
            found.append((f"{where}.", item))
        return found

    def texts(self, data: Mapping[str, Any], key: str, where: str = "") -> list[str]:
        values = self.items(data, key) if not where else data.get(key, [])
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise self.fail(f"{where}{key}", "a list of strings", values)
        return list(values)


def read_report(path: Path) -> ShardReport:
    """The leaks report in ``path`` (``leaks --format json``) as a :class:`LeakReport`."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise MergeError(f"{path}: cannot read it: {error}") from error
    try:
        data = json.loads(text)
    except ValueError as error:
        raise MergeError(f"{path}: not JSON ({error})") from error
    if not isinstance(data, dict):
        raise MergeError(f"{path}: not a leaks report (a JSON object is expected)")
    return parse_report(data, str(path), path)


def parse_report(data: Mapping[str, Any], source: str, path: Path | None = None) -> ShardReport:
    """A report's JSON object read back (``source`` names it in errors)."""
    f = _Fields(source)
    if data.get("version") != VERSION:
        found = json.dumps(data.get("version"))
        raise MergeError(
            f"{source}: not a leaks report of version {VERSION} (version: {found}); "
            "`test-auditor leaks --format json` writes one"
        )
    seed = f.integer(data, "seed")
    for key in ("polluters", "victims", "brittle", "flaky"):
        f.items(data, key, required=True)
    report = LeakReport(
        rootdir=str(data.get("rootdir", "")),
        seed=seed,
        rerun=str(data.get("rerun", "")),
        tests=int(f.number(data, "tests")),
        executions=f.integer(data, "test_executions"),
        processes=int(f.number(data, "processes")),
        seconds=f.number(data, "seconds"),
    )
    report.pairs = [
        Pair(
            f.text(item, "polluter", where),
            f.text(item, "victim", where),
            _described(f.texts(item, "state", where)),
            f.text(item, "reproduce", where),
            str(item.get("found_by", "state")),
        )
        for where, item in f.objects(data, "pairs")
    ]
    if not report.pairs:  # a report of an older `leaks` without `pairs`
        report.pairs = _pairs_of_victims(f, data)
    report.brittle = [
        Brittle(
            f.text(item, "nodeid", where),
            tuple(f.texts(item, "state_setters", where)),
            _described(f.texts(item, "state", where)),
        )
        for where, item in f.objects(data, "brittle")
    ]
    report.flaky = [_flaky(f, where, item) for where, item in f.objects(data, "flaky")]
    report.cleaners = [
        Cleaner(
            f.text(item, "nodeid", where),
            f.text(item, "polluter", where),
            f.text(item, "victim", where),
            _described(f.texts(item, "state", where)),
        )
        for where, item in f.objects(data, "cleaners")
    ]
    report.failing = f.texts(data, "failing")
    report.unresolved = f.texts(data, "unresolved")
    report.not_run = f.texts(data, "not_run")
    report.notes = f.texts(data, "notes")
    report.crashed = [
        Crash(f.text(item, "nodeid", where), f.text(item, "why", where), f.text(item, "run", where))
        for where, item in f.objects(data, "crashed")
    ]
    report.collection_errors = [
        (f.text(item, "nodeid", where), f.text(item, "error", where))
        for where, item in f.objects(data, "collection_errors")
    ]
    report.restored = [
        Restored(
            f.text(item, "path", where),
            f.text(item, "change", where),
            bool(item.get("restored", False)),
            f.text(item, "run", where),
        )
        for where, item in f.objects(data, "files_restored")
    ]
    report.databases_restored = [
        RestoredRows(
            f.text(item, "database", where),
            f.text(item, "kind", where),
            f.text(item, "name", where),
            f.text(item, "change", where),
            bool(item.get("restored", False)),
            f.text(item, "run", where),
            str(item.get("why") or ""),
        )
        for where, item in f.objects(data, "databases_restored")
    ]
    report.rounds = [_round(f, where, item) for where, item in f.objects(data, "rounds")]
    report.runs = [
        (f.text(item, "label", where), f.integer(item, "tests", where))
        for where, item in f.objects(data, "runs")
    ]
    report.leaked = {
        f.text(item, "nodeid", where): _changes(f, where, item)
        for where, item in f.objects(data, "state_left_behind")
    }
    report.coverage = _coverage(f, data)
    spent = data.get("executions_by_phase", {})
    if not isinstance(spent, dict) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in spent.values()
    ):
        raise f.fail("executions_by_phase", "an object of counts", spent)
    report.spent = dict(spent)
    shards = _shards(f, data)
    extra = {key: value for key, value in data.items() if key not in KNOWN_FIELDS}
    hunt = Hunt.parse(report.rerun)
    content = json.dumps(data, sort_keys=True)
    return ShardReport(
        path or Path(source), report, shards, hunt, extra, content, "profile" in data
    )


def _described(texts: Sequence[str]) -> tuple[Change, ...]:
    return tuple(Described.of(text) for text in texts if text != UNSEEN)


def _pairs_of_victims(f: _Fields, data: Mapping[str, Any]) -> list[Pair]:
    pairs = []
    for where, item in f.objects(data, "victims"):
        state = _described(f.texts(item, "state", where))
        reproduce = f.text(item, "reproduce", where)
        found_by = str(item.get("found_by", "state"))
        for polluter in f.texts(item, "polluters", where):
            pairs.append(Pair(polluter, f.text(item, "nodeid", where), state, reproduce, found_by))
    return pairs


def _flaky(f: _Fields, where: str, item: Mapping[str, Any]) -> Flaky:
    return Flaky(
        f.text(item, "nodeid", where),
        f.integer(item, "failures", where),
        f.integer(item, "executions", where),
    )


def _round(f: _Fields, where: str, item: Mapping[str, Any]) -> Round:
    seed = item.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise f.fail(f"{where}seed", "an integer or null", seed)
    seconds = item.get("seconds", 0.0)
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise f.fail(f"{where}seconds", "a number", seconds)
    return Round(
        f.text(item, "label", where),
        seed,
        f.integer(item, "tests", where),
        tuple(f.texts(item, "failures", where)),
        float(seconds),
    )


def _changes(f: _Fields, where: str, item: Mapping[str, Any]) -> tuple[Change, ...]:
    """The state one test left: its changes when the report has them, else descriptions
    (cut to the report's first few)."""
    if "changes" not in item:
        return _described(f.texts(item, "state", where))
    changes = []
    for index, entry in enumerate(f.get(item, "changes", where, list, "a list")):
        change = _change(entry)
        if change is None:
            raise f.fail(f"{where}changes[{index}]", "[probe, key, before, after(, via)]", entry)
        changes.append(change)
    return tuple(changes)


def _change(entry: object) -> Change | None:
    """``Change.to_json()`` read back; None when ``entry`` is not one."""
    if not isinstance(entry, list) or len(entry) not in (4, 5):
        return None
    probe, key, before, after, *via = entry
    if not (isinstance(probe, str) and isinstance(key, str)):
        return None
    if not all(v is None or isinstance(v, str) for v in (before, after)):
        return None
    if not all(isinstance(v, str) for v in via):
        return None
    if probe == Described.PROBE:
        return Described.of(key)
    return Change(probe, key, before, after, *via)


def _coverage(f: _Fields, data: Mapping[str, Any]) -> dict[str, dict[str, int]] | None:
    if "coverage" not in data:
        return None
    coverage: dict[str, dict[str, int]] = {}
    for where, item in f.objects(data, "coverage"):
        modules = f.get(item, "modules", where, dict, "an object")
        if not all(isinstance(v, int) for v in modules.values()):
            raise f.fail(f"{where}modules", "line counts", modules)
        coverage[f.text(item, "nodeid", where)] = dict(modules)
    return coverage


def _shards(f: _Fields, data: Mapping[str, Any]) -> list[Shard]:
    """The parts of the suite a report covers: its ``shard``, or a merged report's
    ``shards``."""
    seed = f.integer(data, "seed")
    named = f.texts(data, "shards") if data.get("shards") else []
    if not named:
        shard = data.get("shard")
        if not isinstance(shard, str) or not shard:
            raise MergeError(
                f"{f.source}: not the report of a shard (its `shard` is "
                f"{json.dumps(shard)}): run `leaks --shard I/N --seed S` on each machine"
            )
        named = [shard]
    try:
        return [Shard.parse(text, seed) for text in named]
    except ValueError as error:
        raise MergeError(f"{f.source}: {error}") from error


# -- merging ----------------------------------------------------------------------------


def merge_files(paths: Sequence[Path], *, allow_missing: bool = False) -> Merged:
    """Read and merge the reports in ``paths`` (see :func:`merge`)."""
    return merge([read_report(path) for path in dict.fromkeys(paths)], allow_missing=allow_missing)


def merge(reports: Sequence[ShardReport], *, allow_missing: bool = False) -> Merged:
    """Join the reports of the shards of one hunt; :class:`MergeError` when they are not
    that (or a shard is missing, unless ``allow_missing``)."""
    if not reports:
        raise MergeError("no reports to merge: give the JSON reports of `leaks --shard`")
    reports = _distinct(reports)
    first = reports[0]
    count = first.shards[0].count
    seed = first.report.seed
    owner: dict[int, ShardReport] = {}
    for shard_report in reports:
        _same_hunt(first, shard_report)
        for shard in shard_report.shards:
            if shard.index in owner:
                raise MergeError(
                    f"shard {shard} is in two reports that differ, {owner[shard.index].path} "
                    f"and {shard_report.path}: give one report per shard"
                )
            owner[shard.index] = shard_report
    missing = [index for index in range(1, count + 1) if index not in owner]
    if missing and not allow_missing:
        names = ", ".join(f"{index}/{count}" for index in missing)
        raise MergeError(
            f"missing {'shard' if len(missing) == 1 else 'shards'} {names} of {count} "
            "(--allow-missing merges the others)"
        )
    ordered = sorted(reports, key=lambda r: r.shards[0].index)
    merged = _join(ordered, seed)
    hunt = _common_hunt(ordered, merged)
    shards = sorted((s for r in ordered for s in r.shards), key=lambda s: s.index)
    merged.rerun = _rerun(hunt, seed, count)
    if missing:
        names = ", ".join(f"{index}/{count}" for index in missing)
        merged.notes.insert(0, f"missing shards {names}: their tests are not in this report")
    extra = _extra(ordered, merged.notes)
    default = sum(r.report.rounds[0].seconds for r in ordered if r.report.rounds)
    sizes = {r.shards[0].index: r.report.tests for r in ordered if len(r.shards) == 1}
    return Merged(merged, shards, count, missing, hunt, extra, default, sizes)


def _distinct(reports: Sequence[ShardReport]) -> list[ShardReport]:
    """The reports, each once: the same report given twice (under two names) counts once."""
    seen: dict[str, ShardReport] = {}
    for shard_report in reports:
        seen.setdefault(shard_report.content, shard_report)
    return list(seen.values())


def _same_hunt(first: ShardReport, other: ShardReport) -> None:
    """``other`` is a part of the hunt ``first`` is a part of."""
    a, b = first.report, other.report
    where = f"{first.path} and {other.path}"
    if a.seed != b.seed:
        raise MergeError(
            f"{where} are not shards of one hunt: seeds {a.seed} and {b.seed} split the suite "
            "differently (run every shard with the same --seed)"
        )
    counts = {s.count for s in (*first.shards, *other.shards)}
    if len(counts) > 1:
        raise MergeError(
            f"{where} are not shards of one hunt: the suite was split into "
            f"{' and '.join(map(str, sorted(counts)))} parts"
        )
    if first.hunt is not None and other.hunt is not None:
        for what, mine, theirs in (
            ("paths", first.hunt.paths, other.hunt.paths),
            ("pytest arguments", first.hunt.pytest_args, other.hunt.pytest_args),
        ):
            if mine != theirs:
                raise MergeError(
                    f"{where} are not shards of one suite: their {what} differ "
                    f"({shlex.join(mine) or 'none'} and {shlex.join(theirs) or 'none'})"
                )


def _common_hunt(reports: Sequence[ShardReport], merged: LeakReport) -> Hunt | None:
    """The hunt all reports describe (how hard each shard hunted may differ: said in a
    note)."""
    hunts = [r.hunt for r in reports]
    known = [hunt for hunt in hunts if hunt is not None]
    if len(known) < len(hunts):
        merged.notes.append("some reports have no rerun command: their paths were not compared")
    if not known:
        return None
    options = {hunt.options for hunt in known}
    if len(options) > 1:
        shown = "; ".join(
            f"shard {r.shards[0]}: {' '.join(a for o in r.hunt.options for a in o if a) or '-'}"
            for r in reports
            if r.hunt is not None
        )
        merged.notes.append(f"the shards did not hunt alike ({shown})")
    return known[0]


def _rerun(hunt: Hunt | None, seed: int, count: int) -> str:
    """A shell line that runs every shard again, each writing its JSON report."""
    if hunt is None:
        return ""
    words = ["test-auditor", "leaks", *hunt.paths, "--seed", str(seed)]
    for option, value in hunt.options:
        words += [option, value] if value else [option]
    line = f'{shlex.join(words)} --shard "$I/{count}" --format json -o "shard-$I.json"'
    if hunt.pytest_args:
        line += f" -- {shlex.join(hunt.pytest_args)}"
    return f"for I in $(seq 1 {count}); do {line}; done"


K = TypeVar("K")
V = TypeVar("V")


def _unique(items: Iterable[V], key: Callable[[V], K]) -> list[V]:
    """``items`` in order, the first of each ``key``."""
    seen: dict[K, V] = {}
    for item in items:
        seen.setdefault(key(item), item)
    return list(seen.values())


def _join(reports: Sequence[ShardReport], seed: int) -> LeakReport:
    parts = [r.report for r in reports]
    label = {id(r.report): ", ".join(str(s) for s in r.shards) for r in reports}
    rootdirs = list(dict.fromkeys(p.rootdir for p in parts))
    merged = LeakReport(rootdir=rootdirs[0], seed=seed, rerun="")
    if len(rootdirs) > 1:
        merged.notes.append(f"the shards ran in different rootdirs: {', '.join(rootdirs)}")
    merged.tests = sum(p.tests for p in parts)
    merged.executions = sum(p.executions for p in parts)
    for part in parts:
        for phase, executions in part.spent.items():
            merged.spent[phase] = merged.spent.get(phase, 0) + executions
    merged.processes = sum(p.processes for p in parts)
    merged.seconds = sum(p.seconds for p in parts)
    merged.pairs = _unique((x for p in parts for x in p.pairs), lambda x: (x.polluter, x.victim))
    merged.brittle = _unique((x for p in parts for x in p.brittle), lambda x: x.nodeid)
    merged.cleaners = _unique(
        (x for p in parts for x in p.cleaners), lambda x: (x.nodeid, x.polluter, x.victim)
    )
    flaky: dict[str, Flaky] = {}
    for found in (x for p in parts for x in p.flaky):
        known = flaky.get(found.nodeid)
        flaky[found.nodeid] = (
            found
            if known is None
            else Flaky(
                found.nodeid,
                known.failures + found.failures,
                known.executions + found.executions,
            )
        )
    merged.flaky = list(flaky.values())
    merged.failing = _unique((x for p in parts for x in p.failing), lambda x: x)
    merged.unresolved = _unique((x for p in parts for x in p.unresolved), lambda x: x)
    merged.not_run = _unique((x for p in parts for x in p.not_run), lambda x: x)
    merged.crashed = _unique(
        (
            Crash(c.nodeid, c.why, _in_shard(label[id(p)], c.run_label))
            for p in parts
            for c in p.crashed
        ),
        lambda c: (c.nodeid, c.why),
    )
    merged.collection_errors = _unique(
        (x for p in parts for x in p.collection_errors), lambda x: x[0]
    )
    merged.restored = _unique(
        (
            Restored(r.path, r.change, r.restored, _in_shard(label[id(p)], r.run))
            for p in parts
            for r in p.restored
        ),
        lambda r: (r.path, r.change, r.restored, r.run),
    )
    merged.databases_restored = _unique(
        (
            replace(r, run=_in_shard(label[id(p)], r.run))
            for p in parts
            for r in p.databases_restored
        ),
        lambda r: (r.database, r.kind, r.name, r.change, r.restored, r.run),
    )
    merged.rounds = [
        Round(_in_shard(label[id(p)], r.label), r.seed, r.tests, r.failures, r.seconds)
        for p in parts
        for r in p.rounds
    ]
    merged.runs = [(_in_shard(label[id(p)], name), tests) for p in parts for name, tests in p.runs]
    for part in parts:
        for nodeid, changes in part.leaked.items():
            merged.leaked.setdefault(nodeid, changes)
    covered = [p.coverage for p in parts if p.coverage is not None]
    if covered:
        merged.coverage = {k: v for coverage in covered for k, v in coverage.items()}
        if len(covered) < len(parts):
            merged.notes.append("per-test coverage: only some shards measured it (--coverage)")
    merged.notes.extend(_notes(parts, label))
    longest = max(parts, key=lambda p: p.seconds)
    merged.notes.append(
        f"merged from shards {', '.join(label[id(p)] for p in parts)} (seed {seed}): "
        f"{merged.seconds:.1f} s of machine time in all, the longest shard "
        f"({label[id(longest)]}) {longest.seconds:.1f} s"
    )
    if any(r.profiled for r in reports):
        merged.notes.append("the per-test profile of each shard is in the shard's own report")
    return merged


def _in_shard(shard: str, label: str) -> str:
    return label if label.startswith("shard ") else f"shard {shard}: {label}"


def _notes(parts: Sequence[LeakReport], label: Mapping[int, str]) -> list[str]:
    """Each shard's notes, once: a note every shard made as is, others with their shards."""
    said: dict[str, list[str]] = {}
    for part in parts:
        for note in part.notes:
            shards = said.setdefault(note, [])
            if label[id(part)] not in shards:
                shards.append(label[id(part)])
    notes = []
    for note, shards in said.items():
        if len(shards) < len(parts) and not note.startswith("shard "):
            note = f"shard {', '.join(shards)}: {note}"
        notes.append(note)
    return notes


def _extra(reports: Sequence[ShardReport], notes: list[str]) -> dict[str, Any]:
    """Fields this reader does not know: objects of numbers added up key by key, the rest
    dropped with a note."""
    added: dict[str, dict[str, float]] = {}
    dropped: list[str] = []
    for shard_report in reports:
        for key, value in shard_report.extra.items():
            if key in dropped:
                continue
            if _numbers(value) and isinstance(added.get(key, {}), dict):
                total = added.setdefault(key, {})
                for name, number in value.items():
                    total[name] = total.get(name, 0) + number
            else:
                dropped.append(key)
                added.pop(key, None)
    if dropped:
        notes.append(f"fields not merged (unknown to this test-auditor): {', '.join(dropped)}")
    return {key: {k: _tidy(v) for k, v in value.items()} for key, value in added.items()}


def _numbers(value: object) -> bool:
    return isinstance(value, dict) and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in value.values()
    )


def _tidy(number: float) -> float:
    return int(number) if float(number).is_integer() else round(number, 3)
