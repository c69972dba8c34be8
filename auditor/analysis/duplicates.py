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
- ``near`` (type 3): shingle sets whose Jaccard similarity reaches a threshold.

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
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from pathlib import Path, PurePosixPath

from auditor.model.suite import Origin, Suite
from auditor.parse.summary import Function, Shape


@dataclass(frozen=True, slots=True)
class Member:
    """One def of a group (for a file group, the file: line 1, its basename)."""

    path: str
    line: int
    name: str
    nodeid: str
    """The test's node id ("" for fixtures and files)."""
    col: int = 0
    """The column of the `def` (0-based; 0 for a file)."""


@dataclass(frozen=True, slots=True)
class DuplicateGroup:
    kind: str
    """"test", "fixture" or "file"."""
    clone: str
    """"exact", "parametrize", "renamed", "near" or "file"."""
    members: tuple[Member, ...]
    """Sorted by path and line."""
    similarity: float
    """1.0 for exact, parametrize and renamed; the lowest Jaccard similarity between two
    members for near; for files, the share of one file's tests cloned in the other."""
    suggestion: str


@dataclass(frozen=True, slots=True)
class DuplicateSettings:
    near_similarity: float = 0.7
    """Jaccard similarity of shingle sets from which two tests are near clones. A
    statement added costs its own shingles and the ``K - 1`` that straddle it, so one
    added to a five-statement test leaves about 0.75 (0.85 missed such pairs)."""
    min_tokens: int = 40
    """Renamed and near clones need this many normalised tokens: below it, two one-line
    asserts on different values are "renamed clones" of each other, which is noise."""
    loose_min_tokens: int = 50
    """Renamed clones that also differ in the names of what they call or read (other
    functions, classes, attributes, keyword arguments; `Shape.loose`) need this many
    tokens: with every name free, short tests of one common form are all alike."""
    file_share: float = 0.5
    """Share of a file's tests cloned in another file from which the pair is reported..."""
    file_min_tests: int = 2
    """...when that is this many tests at least."""


STRENGTH = {"exact": 0, "parametrize": 1, "renamed": 2, "near": 3, "file": 4}
_KIND_ORDER = {"test": 0, "fixture": 1, "file": 2}
_SHOWN_ARGS = 3
_SHOWN_VALUE = 24


@dataclass(frozen=True, slots=True)
class _Unit:
    """One def taking part: where it is, what it is called, its shape."""

    path: str
    line: int
    name: str
    nodeid: str
    shape: Shape
    owner: str
    """The qualified name of the def's class, "" at module level."""
    unittest: bool
    params: tuple[str, ...]
    """Its parameters (the fixtures it requests), without `self` or `cls`."""
    function: Function

    @property
    def member(self) -> Member:
        return Member(self.path, self.line, self.name, self.nodeid, self.function.col)

    @property
    def calls(self) -> frozenset[str]:
        """The last part of each name it calls, resolved through imports: identical
        code calling ``mcode`` imported from two modules calls two functions."""
        reach = self.function.reach
        return frozenset(
            c.name.rsplit(".", 1)[-1]
            for c in (reach.calls if reach is not None else ())
            if c.kind in ("call", "decorator", "with")
        )


def find_duplicates(
    suite: Suite, settings: DuplicateSettings | None = None
) -> tuple[DuplicateGroup, ...]:
    """All clone groups of the suite: largest first, then tests, fixtures, files, then
    by strength and place."""
    settings = settings or DuplicateSettings()
    defs = _defs_by_line(suite)
    tests = _test_units(suite, defs)
    groups, clones = _test_groups(tests, settings)
    groups.extend(_fixture_groups(suite, defs, settings))
    groups.extend(_file_groups(tests, clones, settings))
    groups.sort(
        key=lambda g: (
            -len(g.members),
            _KIND_ORDER[g.kind],
            STRENGTH[g.clone],
            [(m.path, m.line) for m in g.members],
        )
    )
    return tuple(groups)


# -- the defs --------------------------------------------------------------------------

_Defs = dict[tuple[str, int], tuple[Function, str]]


def _defs_by_line(suite: Suite) -> _Defs:
    """Every def of the parsed files by (path, line), with its class's qualified name."""
    return {
        (path, function.line): (function, ".".join(k.name for k in owners))
        for path, summary in suite.modules.items()
        for function, owners in summary.defs()
    }


def _unit(
    path: str, line: int, name: str, nodeid: str, found: tuple[Function, str], unittest: bool
) -> _Unit | None:
    function, owner = found
    if function.shape is None:
        return None
    params = [p.name for p in function.params if p.kind not in ("var_positional", "var_keyword")]
    if owner and not function.is_staticmethod and params:
        params = params[1:]
    return _Unit(path, line, name, nodeid, function.shape, owner, unittest, tuple(params), function)


def _test_units(suite: Suite, defs: _Defs) -> list[_Unit]:
    """One unit per test def (not per collected item), in (path, line) order."""
    units: dict[tuple[str, int], _Unit | None] = {}
    for test in sorted(suite.tests, key=lambda t: t.nodeid):
        key = (test.defined_in or test.path, test.line)
        found = defs.get(key)
        if key not in units and found is not None:
            units[key] = _unit(*key, found[0].name, test.nodeid, found, test.is_unittest)
    return [u for k in sorted(units) if (u := units[k]) is not None]


# -- tests -------------------------------------------------------------------------------


def _test_groups(
    units: list[_Unit], settings: DuplicateSettings
) -> tuple[list[DuplicateGroup], dict[int, set[int]]]:
    """Groups at their strongest level, and for each unit the units (by index) it is a
    clone of at any level, for the file overlap."""
    groups: list[DuplicateGroup] = []
    exact = _classes_by(range(len(units)), lambda i: units[i].shape.exact)
    groups.extend(_exact_group([units[i] for i in c]) for c in exact if len(c) > 1)
    exact_family = {c[0]: c for c in exact}

    literal = _classes_by(exact_family, lambda i: units[i].shape.literals)
    groups.extend(_parametrize_group([units[i] for i in c]) for c in literal if len(c) > 1)
    literal_family = {c[0]: [i for r in c for i in exact_family[r]] for c in literal}

    big = [i for i in literal_family if units[i].shape.size >= settings.min_tokens]
    renamed = _loosely(
        _classes_by(big, lambda i: units[i].shape.renamed), units, settings.loose_min_tokens
    )
    groups.extend(_renamed_group([units[i] for i in c]) for c in renamed if len(c) > 1)
    family = {c[0]: [i for r in c for i in literal_family[r]] for c in renamed}

    clones: dict[int, set[int]] = defaultdict(set)
    for members in chain(literal_family.values(), family.values()):
        if len(members) > 1:
            for i in members:
                clones[i].update(members)
    reps = list(family)
    pairs = [
        (*_edge(reps[a], reps[b]), similarity)
        for a, b, similarity in near_pairs([units[r].shape for r in reps], settings)
    ]
    for left, right, _ in pairs:
        for i in family[left]:
            clones[i].update(family[right])
        for i in family[right]:
            clones[i].update(family[left])
    for cluster, similarity in _clusters(pairs):
        groups.append(_near_group([units[i] for i in cluster], similarity))
    return groups, clones


def _loosely(renamed: list[list[int]], units: list[_Unit], min_tokens: int) -> list[list[int]]:
    """`renamed` classes merged when their representatives, of `min_tokens` at least,
    are the same code up to every name (`Shape.loose`): one class per merge, in
    first-seen order."""
    merged: dict[str, list[int]] = {}
    classes: list[list[int]] = []
    for members in renamed:
        shape = units[members[0]].shape
        if shape.size < min_tokens or not shape.loose:
            classes.append(members)
            continue
        found = merged.get(shape.loose)
        if found is None:
            found = merged[shape.loose] = []
            classes.append(found)
        found.extend(members)
    return classes


def _classes_by(indices: Iterable[int], key: Callable[[int], str]) -> list[list[int]]:
    """Indices grouped by `key`, each group and the groups in first-seen order."""
    found: dict[str, list[int]] = {}
    for index in indices:
        found.setdefault(key(index), []).append(index)
    return list(found.values())


def _sorted_members(units: Iterable[_Unit]) -> tuple[Member, ...]:
    return tuple(sorted((u.member for u in units), key=lambda m: (m.path, m.line, m.name)))


def _different_callees(units: list[_Unit]) -> str:
    """A note when the same code calls different functions (names imported from
    different modules under one name), else ""."""
    calls = [u.calls for u in units]
    if len(set(calls)) < 2:
        return ""
    differing = sorted(frozenset.union(*calls) - frozenset.intersection(*calls))
    return ", ".join(f"`{name}`" for name in differing[:4])


def _exact_group(units: list[_Unit]) -> DuplicateGroup:
    members = _sorted_members(units)
    keep = members[0]
    owners = {u.owner for u in units}
    if len(owners) > 1 and all(owners):
        advice = (
            f"the same method in {len(owners)} classes: move it into a shared base class "
            "(or parametrize the class)"
        )
    else:
        copies = len(members) - 1
        advice = f"keep `{keep.name}` ({keep.path}:{keep.line}), delete the other {copies}"
    callees = _different_callees(units)
    if callees:
        advice += (
            f"; but check first: one name is imported from different places ({callees}): "
            "if those are different objects, parametrize over them instead"
        )
    return DuplicateGroup("test", "exact", members, 1.0, advice)


def _parametrize_group(units: list[_Unit]) -> DuplicateGroup:
    units = sorted(units, key=lambda u: (u.path, u.line))
    names = [u.name for u in units]
    name = common_name(names)
    varying = varying_positions([u.shape.values for u in units])
    argnames = ["value" if n == 0 else f"value_{n + 1}" for n in range(len(varying))]
    cases = len(units)
    if any(u.unittest for u in units):
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
    return DuplicateGroup("test", "parametrize", _sorted_members(units), 1.0, advice)


def _short(value: str) -> str:
    return value if len(value) <= _SHOWN_VALUE else value[: _SHOWN_VALUE - 3] + "..."


def _renamed_group(units: list[_Unit]) -> DuplicateGroup:
    members = _sorted_members(units)
    if len({u.shape.renamed for u in units}) == 1:
        advice = (
            f"the same code up to local names and literals: merge the {len(members)} tests "
            "into one, parametrized over what differs"
        )
    else:
        advice = (  # other callees or attributes, or literals of other kinds
            f"the same code up to names and literals: merge the {len(members)} tests into "
            "one, parametrized over what differs (functions, classes or attributes too)"
        )
    return DuplicateGroup("test", "renamed", members, 1.0, advice)


def _near_group(units: list[_Unit], similarity: float) -> DuplicateGroup:
    members = _sorted_members(units)
    advice = (
        f"{len(members)} near-identical tests: extract the shared steps into a helper "
        "or parametrize them"
    )
    return DuplicateGroup("test", "near", members, round(similarity, 3), advice)


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


# -- near clones -------------------------------------------------------------------------


def near_pairs(
    shapes: Sequence[Shape], settings: DuplicateSettings
) -> list[tuple[int, int, float]]:
    """Pairs (i, j, similarity), i < j indices into `shapes` of at least
    `settings.min_tokens`, whose shingle sets have Jaccard >= `settings.near_similarity`
    and whose token counts are within that ratio: an exact all-pairs similarity join,
    sorted.

    Shingles are ranked rarest first (``count << 32 | shingle``, so the rank is also a
    unique key); sets are visited smallest first, each probing the index with its prefix
    of rarest ranks, then adding that prefix to it. A shingle no other set has matches
    nothing: it counts in the prefix but is never indexed, and a set whose prefix holds
    only such shingles is skipped without sorting anything."""
    threshold = settings.near_similarity - 1e-9
    records = sorted(
        (len(shape.shingles), n, shape.shingles)
        for n, shape in enumerate(shapes)
        if shape.size >= settings.min_tokens and shape.shingles
    )
    frequency = Counter(chain.from_iterable(r[2] for r in records))
    rank = {shingle: count << 32 | shingle for shingle, count in frequency.items() if count > 1}
    shared = rank.keys()
    index: dict[int, list[int]] = defaultdict(list)
    sets: dict[int, frozenset[int]] = {}
    pairs: list[tuple[int, int, float]] = []
    for position, (size, unit, shingles) in enumerate(records):
        common_shingles = shared & shingles
        prefix = len(common_shingles) - math.ceil(threshold * size) + 1
        if prefix <= 0:
            continue
        seen: set[int] = set()
        for key in sorted(map(rank.__getitem__, common_shingles))[:prefix]:
            postings = index[key]
            for other in postings:
                if other in seen:
                    continue
                seen.add(other)
                other_size = records[other][0]
                if other_size < threshold * size or not _comparable(
                    shapes[unit].size, shapes[records[other][1]].size, threshold
                ):
                    continue
                mine = _set(sets, position, shingles)
                common = len(mine & _set(sets, other, records[other][2]))
                similarity = common / (size + other_size - common)
                if similarity >= threshold:
                    first, second = sorted((records[other][1], unit))
                    pairs.append((first, second, similarity))
            postings.append(position)
    pairs.sort()
    return pairs


def _set(
    sets: dict[int, frozenset[int]], position: int, shingles: tuple[int, ...]
) -> frozenset[int]:
    found = sets.get(position)
    if found is None:
        found = sets[position] = frozenset(shingles)
    return found


def _comparable(size: int, other: int, threshold: float) -> bool:
    """Token counts within the threshold's ratio (an upper bound of the similarity of
    the token multisets)."""
    return min(size, other) >= threshold * max(size, other)


def _clusters(pairs: list[tuple[int, int, float]]) -> list[tuple[list[int], float]]:
    """Near pairs merged, most similar first, into groups in which every pair is near;
    a def left out of every group is paired with its most similar partner. Each group
    comes with the lowest similarity inside it."""
    edges = {(a, b): s for a, b, s in pairs}
    ranked = sorted(pairs, key=lambda p: (-p[2], p[0], p[1]))
    cluster_of: dict[int, tuple[int, ...]] = {}
    for a, b, _ in ranked:
        left, right = cluster_of.get(a, (a,)), cluster_of.get(b, (b,))
        if left != right and all(_edge(x, y) in edges for x in left for y in right):
            merged = tuple(sorted(left + right))
            for member in merged:
                cluster_of[member] = merged
    clusters = set(cluster_of.values())
    for a, b, _ in ranked:
        if a not in cluster_of or b not in cluster_of:
            pair = (a, b)
            clusters.add(pair)
            cluster_of.setdefault(a, pair)
            cluster_of.setdefault(b, pair)
    return [
        (list(c), min(edges[_edge(x, y)] for n, x in enumerate(c) for y in c[n + 1 :]))
        for c in sorted(clusters)
    ]


def _edge(x: int, y: int) -> tuple[int, int]:
    return (x, y) if x < y else (y, x)


# -- fixtures ----------------------------------------------------------------------------


def _fixture_groups(suite: Suite, defs: _Defs, settings: DuplicateSettings) -> list[DuplicateGroup]:
    """Fixtures with the same code in different files, and the conftest they belong in.

    "The same code" is the same exact digest, or the same renamed digest with the same
    literal values and the same parameters: a fixture's parameters are the fixtures it
    requests, and ``def user(admin): return admin`` is not ``def user(guest): ...``.
    One group per family, "exact" when all its members are exact clones.

    Families of different names whose code is the same up to names and literals (a
    renamed clone, with the sizes tests need) are one more "renamed" group, of one
    member per family: variants one fixture taking what differs should replace. Families
    of one name are left alone: a module overriding a fixture with its own values is
    how pytest is meant to be used."""
    units: dict[tuple[str, int], _Unit | None] = {}
    nodes: dict[tuple[str, int], set[str]] = defaultdict(set)
    for fixture in suite.fixtures:
        if fixture.origin not in (Origin.CONFTEST, Origin.MODULE, Origin.CLASS):
            continue
        key = (fixture.path, fixture.line)
        nodes[key].add(fixture.node)
        found = defs.get(key)
        if key not in units and found is not None:
            units[key] = _unit(*key, fixture.name, "", found, unittest=False)
    ordered = [u for k in sorted(units) if (u := units[k]) is not None]
    families = _classes_by(range(len(ordered)), lambda i: _fixture_key(ordered[i]))
    groups: list[DuplicateGroup] = []
    for family in families:
        members = [ordered[i] for i in family]
        if len({m.path for m in members}) < 2:
            continue
        clone = "exact" if len({m.shape.exact for m in members}) == 1 else "renamed"
        advice = _hoist(suite, members, nodes)
        groups.append(DuplicateGroup("fixture", clone, _sorted_members(members), 1.0, advice))
    big = [f[0] for f in families if ordered[f[0]].shape.size >= settings.min_tokens]
    renamed = _loosely(
        _classes_by(big, lambda i: ordered[i].shape.renamed), ordered, settings.loose_min_tokens
    )
    for variants in renamed:
        members = [ordered[i] for i in variants]
        if len({m.path for m in members}) < 2 or len({m.name for m in members}) < 2:
            continue
        groups.append(_variants_group(suite, members))
    return groups


def _variants_group(suite: Suite, units: list[_Unit]) -> DuplicateGroup:
    """Fixtures of other names with the same code up to names and literals."""
    conftest = nearest_conftest([u.path for u in units])
    exists = conftest in suite.conftests or (Path(suite.rootdir) / conftest).is_file()
    advice = (
        f"{len(units)} variants of one fixture, the same code up to names and literals: "
        f"one fixture in {conftest} ({'exists' if exists else 'create it'}) taking what "
        "differs (a factory fixture, or `params=`) should replace them"
    )
    return DuplicateGroup("fixture", "renamed", _sorted_members(units), 1.0, advice)


def _fixture_key(unit: _Unit) -> str:
    shape = unit.shape
    return "\x1f".join((shape.renamed, *unit.params, "", *shape.values))


def _hoist(suite: Suite, units: list[_Unit], nodes: dict[tuple[str, int], set[str]]) -> str:
    """Where the one copy should live: a member every other member's users already
    see (the others are overrides with the same body), else the nearest conftest."""
    names = sorted({u.name for u in units})
    differ = ""
    if len(names) > 1:
        differ = f"; names differ ({', '.join(f'`{n}`' for n in names)}): update the users"
    if len(names) == 1:
        for unit in sorted(units, key=lambda u: (u.path, u.line)):
            others = [u for u in units if u is not unit]
            if all(
                _covers(n, m)
                for u in others
                for m in nodes[u.path, u.line]
                for n in nodes[unit.path, unit.line]
            ):
                return (
                    f"`{unit.name}` at {unit.path}:{unit.line} already serves every user: "
                    f"delete the {len(others)} overriding cop{'y' if len(others) == 1 else 'ies'}"
                )
    conftest = nearest_conftest([u.path for u in units])
    exists = conftest in suite.conftests or (Path(suite.rootdir) / conftest).is_file()
    copies = sum(u.path != conftest for u in units)
    name = names[0] if len(names) == 1 else min(units, key=lambda u: (u.path, u.line)).name
    where = "exists" if exists else "create it"
    return f"move `{name}` to {conftest} ({where}) and delete the {copies} copies{differ}"


def _covers(node: str, other: str) -> bool:
    """Does a fixture registered at `node` serve the tests under `other`?"""
    return node == "" or other == node or other.startswith((node + "/", node + "::"))


def nearest_conftest(paths: list[str]) -> str:
    """The conftest.py of the deepest directory (within the rootdir) holding all `paths`."""
    parts = [PurePosixPath(p).parent.parts for p in paths]
    common: list[str] = []
    for level in zip(*parts, strict=False):
        if len(set(level)) != 1:
            break
        common.append(level[0])
    return str(PurePosixPath(*common, "conftest.py"))


# -- files -------------------------------------------------------------------------------


def _file_groups(
    units: list[_Unit], clones: dict[int, set[int]], settings: DuplicateSettings
) -> list[DuplicateGroup]:
    """Pairs of test files where most of one file's tests are clones of the other's."""
    size: dict[str, int] = Counter(u.path for u in units)
    shared: dict[tuple[str, str], int] = defaultdict(int)
    identical: dict[tuple[str, str], int] = defaultdict(int)
    for index, others in clones.items():
        unit = units[index]
        same = {units[o].path for o in others if units[o].shape.exact == unit.shape.exact}
        for path in {units[o].path for o in others} - {unit.path}:
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
