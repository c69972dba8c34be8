"""Clone groups of tests, fixtures and files, from the def shapes in the suite model.

Every def the parser saw carries a `Shape` (see `auditor.parse.shape`): four digests at
four strengths and a set of shingles. Tests are grouped by strength, and a group is
reported at its strongest level only:

- ``exact`` (type 1): the same code up to formatting, comments and docstring;
- ``parametrize``: the same code with the same names, only literals differ: the tests
  one parametrized test should replace (reported whatever their size: one-line asserts
  are the typical case);
- ``renamed`` (type 2): the same code up to the names the def binds and its literals
  (`Shape.renamed`, from `DuplicateSettings.min_tokens` tokens), or up to every name
  (what it calls, the attributes it reads, keyword names; `Shape.loose`, from the larger
  `DuplicateSettings.loose_min_tokens`);
- ``near`` (type 3): shingle sets whose Jaccard similarity reaches a threshold, between
  tests that request the same fixtures (near pairs over other fixtures still count
  towards two files overlapping, but make no group of tests to merge), and never between
  an async test that awaits and a sync one (their mirrored steps cannot be shared).

The classes nest (exact within parametrize within renamed), so a class is reported
through one representative of each class below it, and near pairs are looked for between
representatives of renamed classes: a pair is never reported twice. Renamed and near
clones need `DuplicateSettings.min_tokens` tokens. Near pairs come from an exact
all-pairs similarity join with prefix filtering (shingles ranked rarest first; two sets
with Jaccard >= t share one of their first ``|s| - ceil(t*|s|) + 1`` shingles), which is
sub-quadratic on real suites.

A test is its def: a parametrized test counts once, and so does a method inherited by
several classes. Fixtures with the same code in different files are grouped with the
conftest they belong in, and so are fixtures of other names whose code is the same up to
names and literals (variants one fixture taking what differs should replace). A pair of
test files is grouped when most of one's tests are clones (at any level) of tests in the
other.

The result types are in `auditor.analysis.clone_groups` (and importable from here), the
defs compared in `auditor.analysis.clone_units`, the similarity join in
`auditor.analysis.near_clones` and the fixture groups in `auditor.analysis.fixture_clones`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import replace
from itertools import chain
from pathlib import Path, PurePosixPath

from auditor.analysis.clone_cache import CloneCache
from auditor.analysis.clone_groups import STRENGTH, DuplicateGroup, DuplicateSettings, Member
from auditor.analysis.clone_units import (
    CloneUnit,
    Context,
    classes_by,
    defs_by_line,
    loosely_merged,
    overriding_defs,
    sorted_members,
    test_units,
)
from auditor.analysis.fixture_clones import fixture_groups
from auditor.analysis.near_clones import (
    MAX_PARTNERS,
    clusters,
    near_pairs,
    ordered_pair,
    same_checked_values,
    same_checks,
)
from auditor.analysis.resolution import Resolution, resolve
from auditor.model.suite import Suite
from auditor.parse.token_stream import SKIP_PREFIXES
from auditor.parse.trees import ParsedFiles

_KIND_ORDER = {"test": 0, "fixture": 1, "file": 2}
_SHOWN_ARGS = 3
_SHOWN_VALUE = 24


def find_duplicates(
    suite: Suite,
    settings: DuplicateSettings | None = None,
    resolution: Resolution | None = None,
    *,
    files: ParsedFiles | None = None,
    cache_dir: Path | None = None,
) -> tuple[DuplicateGroup, ...]:
    """All clone groups of the suite: largest first, then tests, fixtures, files, then
    by strength and place. `resolution` is the suite's (resolved here when not given):
    what the members' names resolve to decides whether the same code is a copy. `files`:
    the suite's parsed files, when the caller has them (the rules' `SuiteView` does).
    With a `cache_dir`, what each file's defs resolve to is cached by the file's content
    (`auditor.analysis.clone_cache`): unchanged files are not parsed again."""
    settings = settings or DuplicateSettings()
    defs = defs_by_line(suite)
    files = files or ParsedFiles(Path(suite.rootdir))
    cache = CloneCache(cache_dir, Path(suite.rootdir)) if cache_dir is not None else None
    context = Context(suite, resolution or resolve(suite), defs, files, cache)
    tests = test_units(suite, defs)
    groups, clones = _test_groups(tests, settings, context, overriding_defs(suite, defs))
    groups.extend(fixture_groups(suite, defs, settings, context))
    groups.extend(_file_groups(tests, clones, settings))
    context.save()
    groups.sort(
        key=lambda g: (
            -len(g.members),
            _KIND_ORDER[g.kind],
            STRENGTH[g.clone],
            [(m.path, m.line) for m in g.members],
        )
    )
    return tuple(groups)


# -- tests -------------------------------------------------------------------------------


def _test_groups(
    units: list[CloneUnit],
    settings: DuplicateSettings,
    context: Context,
    overriding: frozenset[tuple[str, int]] = frozenset(),
) -> tuple[list[DuplicateGroup], CloneClasses]:
    """Groups at their strongest level, and which units are clones of which, as classes
    (never as pairs: 50,000 copies of one test are one class, not 1.25 billion pairs).

    Every class is split by the modules its members work on (`Context.subject`): the
    same code over another docs module is another test. A class whose members spell
    names alike that resolve to other fixtures, classes or functions is reported with
    those names (`DuplicateGroup.differs`), never as copies to delete. A test that
    overrides a base class's test (`overriding`) is its own subject: a variant on purpose."""
    subjects: dict[int, str] = {}

    def subject(index: int) -> str:
        found = subjects.get(index)
        if found is None:
            unit = units[index]
            own = (
                {f"override:{unit.path}:{unit.line}"}
                if (unit.path, unit.line) in overriding
                else set()
            )
            found = subjects[index] = "\x1f".join(sorted(context.subject(unit) | own))
        return found

    def split(classes: list[list[int]]) -> list[list[int]]:
        return [s for c in classes for s in (classes_by(c, subject) if len(c) > 1 else [c])]

    def by_own_subject(classes: list[list[int]]) -> list[list[int]]:
        """Copies in classes or files each named for the object it reads
        (`Context.own_subject`) split apart: one test per subject, on purpose. A class
        with a member that reads no subject of its own stays whole."""
        split_up: list[list[int]] = []
        for c in classes:
            alike = [units[i] for i in c]
            own = {i: context.own_subject(units[i], alike) for i in c} if len(c) > 1 else {}
            if own and all(own.values()):
                split_up.extend(classes_by(c, own.__getitem__))
            else:
                split_up.append(c)
        return split_up

    groups: list[DuplicateGroup] = []
    exact = split(classes_by(range(len(units)), lambda i: units[i].shape.exact))
    for c in exact:
        if len(c) > 1:
            same = [units[i] for i in c]
            groups.append(_exact_group(same, context.differing(same)))
    exact_family = {c[0]: c for c in exact}

    def setup(index: int) -> str:
        fixtures = context.fixtures(units[index])
        return "\x1f".join(f"{k}={v}" for k, v in sorted(fixtures.items()))

    def by_setup(classes: list[list[int]]) -> list[list[int]]:
        """Tests in other files with other literals over other fixtures check other
        values in another setup (each module's own `client` app): other tests, not
        cases of one (`_by_file`: in one file they are). But one
        test written for each setup (one name, up to `_async`/`_asgi`...: `mirror_name`)
        is the same test over what differs."""
        split_up: list[list[int]] = []
        for c in classes:
            if len(c) < 2 or len({setup(i) for i in c}) == 1:
                split_up.append(c)
                continue
            names: dict[str, list[int]] = defaultdict(list)
            for i in c:
                names[mirror_name(units[i].name)].append(i)
            mirrors = [m for m in names.values() if len({setup(i) for i in m}) > 1]
            mirrored = {i for m in mirrors for i in m}
            split_up.extend(mirrors)
            split_up.extend(_by_file(classes_by([i for i in c if i not in mirrored], setup)))
        return split_up

    def _by_file(pieces: list[list[int]]) -> list[list[int]]:
        """Pieces with a file in common merged again: in one module, tests over its
        fixtures of other models (an int and a str column) are cases of one test."""
        merged: list[list[int]] = []
        for piece in pieces:
            paths = {units[i].path for i in piece}
            keep = [m for m in merged if paths.isdisjoint(units[i].path for i in m)]
            joined = [i for m in merged if m not in keep for i in m]
            merged = [*keep, sorted([*joined, *piece])]
        return merged

    literal = by_own_subject(
        by_setup(split(classes_by(exact_family, lambda i: units[i].shape.literals)))
    )
    literal_family = {c[0]: [i for r in c for i in exact_family[r]] for c in literal}
    for c in literal:
        if len(c) > 1:
            cases = [units[i] for r in c for i in exact_family[r]]
            differs = context.differing(cases)
            if differs:  # other literals, and other fixtures or objects: not one test's cases
                groups.append(_renamed_group([units[r] for r in c], differs))
            else:
                groups.append(_parametrize_group([units[r] for r in c]))

    big = [i for i in literal_family if units[i].shape.size >= settings.min_tokens]
    renamed = by_own_subject(
        by_setup(
            split(
                loosely_merged(
                    classes_by(big, lambda i: units[i].shape.renamed),
                    units,
                    settings.loose_min_tokens,
                )
            )
        )
    )
    for c in renamed:
        if len(c) > 1:
            alike = [units[i] for i in c]
            groups.append(_renamed_group(alike, context.differing(alike)))
    family = {c[0]: [i for r in c for i in literal_family[r]] for c in renamed}

    classes = CloneClasses(units, context)
    for members in chain(literal_family.values(), family.values()):
        classes.join(members)
    reps = list(family)
    capped: set[int] = set()
    pairs = [
        (*ordered_pair(reps[a], reps[b]), similarity)
        for a, b, similarity in near_pairs([units[r].shape for r in reps], settings, capped)
        if subject(reps[a]) == subject(reps[b])
        and same_checks(units[reps[a]].shape.steps, units[reps[b]].shape.steps)
        and context.awaits(units[reps[a]]) == context.awaits(units[reps[b]])
        and not _parallel_subjects(units[reps[a]], units[reps[b]], context)
    ]
    cut_short = {reps[index] for index in capped}
    for left, right, _ in pairs:
        classes.link(left, right)
    # Near pairs over other fixtures still make two files overlap (a shared scenario
    # base class or a parametrized fixture merges them), but are no pair of tests to
    # merge into one.
    # Tests split apart by `by_setup` are not near clones of each other either, nor are
    # tests given other values of a fixture by an indirect parametrization (`spec` at
    # "2.0" and at "3.0.0"): they run in two setups.
    mergeable = [
        (left, right, similarity)
        for left, right, similarity in pairs
        if same_fixtures(units[left], units[right])
        and (units[left].shape.renamed != units[right].shape.renamed or setup(left) == setup(right))
        and _same_values_checked(units[left], units[right], context)
        and context.indirect_params(units[left]) == context.indirect_params(units[right])
    ]
    for cluster, similarity in clusters(mergeable):
        group = _near_group([units[i] for i in cluster], similarity)
        if cut_short.intersection(cluster):
            note = f" (cut short: over {MAX_PARTNERS} look-alikes each; more may belong here)"
            group = replace(group, suggestion=group.suggestion + note)
        groups.append(group)
    return groups, classes


def _parallel_subjects(unit: CloneUnit, other: CloneUnit, context: Context) -> bool:
    """Two tests, each over the subject its own class or file is named for."""
    return bool(context.own_subject(unit, [other]) and context.own_subject(other, [unit]))


def _same_values_checked(unit: CloneUnit, other: CloneUnit, context: Context) -> bool:
    """Near clones that check the same values (`near_clones.same_checked_values`): alike
    steps that compare other values or attributes test two behaviours of one shape."""
    mine, theirs = context.checked_values(unit), context.checked_values(other)
    return mine is None or theirs is None or same_checked_values(mine, theirs)


_VARIANT_WORDS = frozenset({"async", "asyncio", "aio", "asgi", "sync", "wsgi"})


def mirror_name(name: str) -> str:
    """A test's name without the words that name a variant of one setup (`_async`,
    `_asgi`, `_wsgi`...): `test_view_args_async` mirrors `test_view_args`."""
    return "_".join(w for w in name.split("_") if w.lower() not in _VARIANT_WORDS)


def same_fixtures(unit: CloneUnit, other: CloneUnit) -> bool:
    """Whether two tests request the same fixtures (by name, in any order). Near clones
    over other fixtures run in another setup (``no_mysql_dburl`` where the other has
    ``dburl``, a database the test must avoid): one parametrized test cannot replace
    them, and a helper of their shared steps is already what such tests call."""
    return sorted(unit.params) == sorted(other.params)


class CloneClasses:
    """Which units are clones of which: units joined into classes (the same code up to
    literals or names), and classes linked when one's representative is a near clone of
    another's. Memory grows with the units and the near links, never with pairs."""

    def __init__(self, units: list[CloneUnit], context: Context) -> None:
        self.units = units
        self.context = context
        self.parent = list(range(len(units)))
        self.links: list[tuple[int, int]] = []

    def find(self, unit: int) -> int:
        root = unit
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[unit] != root:  # path compression
            self.parent[unit], unit = root, self.parent[unit]
        return root

    def join(self, members: list[int]) -> None:
        if len(members) > 1:
            root = self.find(members[0])
            for member in members[1:]:
                self.parent[self.find(member)] = root

    def link(self, left: int, right: int) -> None:
        self.links.append((left, right))

    def clone_paths(self) -> Iterator[tuple[CloneUnit, set[str], set[str]]]:
        """For each unit that has clones: the files they are in, and the files with an
        identical copy (the same exact digest, over names that resolve alike) of it.
        Clones whose fixtures work on other objects of the project
        (`Context.fixture_subject`) are left out: the same steps over a model of another
        column type test another type."""
        members: dict[int, list[int]] = defaultdict(list)
        for index in range(len(self.units)):
            members[self.find(index)].append(index)
        linked: dict[int, set[int]] = defaultdict(set)
        for left, right in self.links:
            a, b = self.find(left), self.find(right)
            if a != b:
                linked[a].add(b)
                linked[b].add(a)
        cloned = [m for root, m in members.items() if len(m) > 1 or linked.get(root)]
        subjects = {i: self.context.fixture_subject(self.units[i]) for i in chain(*cloned)}
        places: dict[int, dict[frozenset[str], set[str]]] = defaultdict(lambda: defaultdict(set))
        for indices in cloned:
            for index in indices:
                places[self.find(index)][subjects[index]].add(self.units[index].path)
        exact_paths: dict[str, Counter[str]] = defaultdict(Counter)
        for index in chain.from_iterable(cloned):
            exact_paths[self._identity(index)][self.units[index].path] += 1
        for indices in cloned:
            root = self.find(indices[0])
            for index in indices:
                unit, subject = self.units[index], subjects[index]
                reachable = set(places[root][subject])
                for other in linked.get(root, ()):
                    reachable |= places[other][subject]
                yield unit, reachable - {unit.path}, set(exact_paths[self._identity(index)])

    def _identity(self, index: int) -> str:
        """The exact digest with what every name resolves to: identical tests over
        other fixtures or model classes are not copies of each other."""
        unit = self.units[index]
        resolved = self.context.resolved(unit)
        return "\x1f".join((unit.shape.exact, *(f"{k}={v}" for k, v in sorted(resolved.items()))))


def _conditions(unit: CloneUnit) -> frozenset[str]:
    """The decorators and marks that only say when the test runs (`skip_decorator`:
    left out of the shapes)."""
    reach = unit.function.reach
    names = [m.name for m in unit.function.marks]
    names += [
        c.name.rsplit(".", 1)[-1] for c in (reach.calls if reach else ()) if c.kind == "decorator"
    ]
    return frozenset(n for n in names if n.lower().startswith(SKIP_PREFIXES))


def _different_conditions(units: list[CloneUnit]) -> str:
    """A note when some of `units` run under conditions the others do not have, else ""."""
    conditions = [_conditions(u) for u in units]
    differing = sorted(frozenset.union(*conditions) - frozenset.intersection(*conditions))
    if not differing:
        return ""
    shown = ", ".join(
        f"`{name}` on {sum(name in c for c in conditions)} of {len(units)}"
        for name in differing[:4]
    )
    return f"they run under other conditions ({shown})"


def _different_callees(units: list[CloneUnit]) -> str:
    """A note when the same code calls different functions (names imported from
    different modules under one name), else "". Decorators that only say when a test
    runs are conditions (`_different_conditions`), not callees."""
    skips = frozenset.union(*(_conditions(u) for u in units))
    calls = [u.calls - skips for u in units]
    if len(set(calls)) < 2:
        return ""
    differing = sorted(frozenset.union(*calls) - frozenset.intersection(*calls))
    return ", ".join(f"`{name}`" for name in differing[:4])


def _exact_group(units: list[CloneUnit], differs: tuple[str, ...] = ()) -> DuplicateGroup:
    """Copies; or, when `differs`, the same code over other fixtures or objects: never
    "delete" then, since each copy runs over something else."""
    members = sorted_members(units)
    keep = members[0]
    owners = {u.owner for u in units}
    if len(owners) > 1 and all(owners):
        advice = f"the same method in {len(owners)} classes"
        if differs:
            advice += (
                f", over {over(differs)}: move it into a shared base class (each class "
                "keeps what differs)"
            )
        else:
            advice += ": move it into a shared base class (or parametrize the class)"
    elif differs:
        advice = (
            f"the same code over {over(differs)}: not a copy to delete; consider one test "
            "parametrized over what differs (or a shared base class)"
        )
    else:
        copies = len(members) - 1
        advice = f"keep `{keep.name}` ({keep.path}:{keep.line}), delete the other {copies}"
    callees = "" if differs else _different_callees(units)
    if callees:
        advice += (
            f"; but check first: one name is imported from different places ({callees}): "
            "if those are different objects, parametrize over them instead"
        )
    conditions = "" if differs else _different_conditions(units)
    if conditions:
        advice += f"; but check first: {conditions}: the copy kept must run whenever any did"
    return DuplicateGroup("test", "exact", members, 1.0, advice, differs)


def _parametrize_group(units: list[CloneUnit]) -> DuplicateGroup:
    units = sorted(units, key=lambda u: (u.path, u.line))
    names = [u.name for u in units]
    name = common_name(names)
    varying = varying_positions([u.shape.values for u in units])
    argnames = ["value" if n == 0 else f"value_{n + 1}" for n in range(len(varying))]
    cases = len(units)
    # unittest methods request no fixtures: tests that do are a plain class's (one whose
    # unread base is only named like a TestCase)
    if any(u.unittest for u in units) and not any(u.params for u in units):
        advice = f"merge into `{name}`, looping over {cases} cases with `self.subTest`"
    else:
        signature = ", ".join([*units[0].params, *argnames])
        advice = f"parametrize as `{name}({signature})` over {cases} cases"
    if varying:
        shown = "; ".join(
            f"{arg}: {', '.join(_short(u.shape.values[p]) for u in units)}"
            for arg, p in zip(argnames[:_SHOWN_ARGS], varying, strict=False)
        )
        more = len(varying) - _SHOWN_ARGS
        advice += f" ({shown}{f'; {more} more' if more > 0 else ''})"
    else:
        advice += " (the literals that differ come after the first 32)"
    ids = _ids(names, name)
    if ids:
        advice += f"; ids: {', '.join(ids)}"
    callees = _different_callees(units)
    if callees:
        advice += (
            f"; one name is imported from different places ({callees}): "
            "parametrize over them too if they differ"
        )
    conditions = _different_conditions(units)
    if conditions:
        advice += f"; {conditions}: give those cases their marks (`pytest.param(..., marks=...)`)"
    return DuplicateGroup("test", "parametrize", sorted_members(units), 1.0, advice)


def _short(value: str) -> str:
    return value if len(value) <= _SHOWN_VALUE else value[: _SHOWN_VALUE - 3] + "..."


def _renamed_group(units: list[CloneUnit], differs: tuple[str, ...] = ()) -> DuplicateGroup:
    members = sorted_members(units)
    if differs:
        advice = (
            f"the same code over {over(differs)}: consider merging the {len(members)} "
            "tests into one, parametrized over what differs"
        )
    elif len({u.shape.renamed for u in units}) == 1:
        advice = (
            f"the same code up to local names and literals: merge the {len(members)} tests "
            "into one, parametrized over what differs"
        )
    else:
        advice = (  # other callees or attributes, or literals of other kinds
            f"the same code up to names and literals: merge the {len(members)} tests into "
            "one, parametrized over what differs (functions, classes or attributes too)"
        )
    return DuplicateGroup("test", "renamed", members, 1.0, advice, differs)


def _near_group(units: list[CloneUnit], similarity: float) -> DuplicateGroup:
    members = sorted_members(units)
    advice = (
        f"{len(members)} near-identical tests: extract the shared steps into a helper "
        "or parametrize them"
    )
    return DuplicateGroup("test", "near", members, round(similarity, 3), advice)


def over(differs: tuple[str, ...], shown: int = 4) -> str:
    """``other fixtures (`a`, `b`) and other objects under one name (`mod`)``."""
    fixtures = [n.removeprefix("fixture:") for n in differs if n.startswith("fixture:")]
    setups = [n.removeprefix("setup:") for n in differs if n.startswith("setup:")]
    objects = [n for n in differs if not n.startswith(("fixture:", "setup:"))]
    parts = []
    if fixtures:
        parts.append(f"other fixtures ({', '.join(f'`{n}`' for n in fixtures[:shown])})")
    if setups:
        parts.append(f"another class setup ({', '.join(f'`{n}`' for n in setups[:shown])})")
    if objects:
        names = ", ".join(f"`{n}`" for n in objects[:shown])
        parts.append(f"other objects under one name ({names})")
    return " and ".join(parts)


def common_name(names: list[str]) -> str:
    """The ``_``-separated parts all `names` start with, or the first name when that
    leaves nothing more than ``test``."""
    common: list[str] = []
    for level in zip(*(n.split("_") for n in names), strict=False):
        if len(set(level)) != 1:
            break
        common.append(level[0])
    joined = "_".join(common)
    return names[0] if joined.strip("_").lower() in ("", "test") else joined


def _ids(names: list[str], common: str) -> list[str]:
    """What each name adds to the common one, when each adds something of its own."""
    rest = [n[len(common) :].strip("_") if n.startswith(common) else "" for n in names]
    return rest if all(rest) and len(set(rest)) == len(rest) else []


def varying_positions(values: list[tuple[str, ...]]) -> list[int]:
    """Positions of the literals that are not the same in every tuple."""
    width = min(len(v) for v in values)
    return [p for p in range(width) if len({v[p] for v in values}) > 1]


# -- files -------------------------------------------------------------------------------


def _file_groups(
    units: list[CloneUnit], classes: CloneClasses, settings: DuplicateSettings
) -> list[DuplicateGroup]:
    """Pairs of test files where most of one file's tests are clones of the other's."""
    size: dict[str, int] = Counter(u.path for u in units)
    shared: dict[tuple[str, str], int] = defaultdict(int)
    identical: dict[tuple[str, str], int] = defaultdict(int)
    for unit, paths, same in classes.clone_paths():
        for path in paths:
            shared[unit.path, path] += 1
            identical[unit.path, path] += path in same
    groups: list[DuplicateGroup] = []
    for a, b in sorted({(min(p), max(p)) for p in shared}):
        share_a, share_b = shared[a, b] / size[a], shared.get((b, a), 0) / size[b]
        source, target = (a, b) if share_a >= share_b else (b, a)
        count, share = shared[source, target], max(share_a, share_b)
        if share < settings.file_share or count < settings.file_min_tests:
            continue
        copies = identical[source, target]
        if copies == count:
            advice = "keep one copy of each"
        elif copies:
            advice = (
                f"keep one copy of the {copies} identical, merge the other {count - copies} "
                "into parametrized tests"
            )
        else:
            advice = "merge the files, parametrizing the tests over what differs"
        groups.append(
            DuplicateGroup(
                "file",
                "file",
                (Member(a, 1, PurePosixPath(a).name, ""), Member(b, 1, PurePosixPath(b).name, "")),
                round(share, 3),
                f"{count} of {size[source]} tests in {source} have clones in {target} "
                f"({copies} identical): {advice}",
            )
        )
    return groups
