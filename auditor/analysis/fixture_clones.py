"""Fixture clones: fixtures with the same code in different files, with the conftest
the one copy belongs in, and fixtures of other names that are variants of one fixture."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path, PurePosixPath

from auditor.analysis.clone_groups import DuplicateGroup, DuplicateSettings
from auditor.analysis.clone_units import (
    CloneUnit,
    Context,
    Defs,
    classes_by,
    clone_unit,
    loosely_merged,
    sorted_members,
)
from auditor.model.suite import Origin, Suite


def fixture_groups(
    suite: Suite, defs: Defs, settings: DuplicateSettings, context: Context
) -> list[DuplicateGroup]:
    """Fixtures with the same code in different files, and the conftest they belong in.

    "The same code" is the same exact digest, or the same renamed digest with the same
    literal values and the same parameters: a fixture's parameters are the fixtures it
    requests, and ``def user(admin): return admin`` is not ``def user(guest): ...``.
    One group per family, "exact" when all its members are exact clones.

    Families of different names whose code is the same up to names and literals (a
    renamed clone, with the sizes tests need) are one more "renamed" group, of one
    member per family: variants one fixture taking what differs should replace. Families
    of one name are left alone: a module overriding a fixture with its own values is
    how pytest is meant to be used.

    What the code's names resolve to counts too: copies working on other modules of the
    project (`Context.subject`) or reading names that are something else in each file
    (each module's own `app`, its own class of one name: `Context.refs`) are split
    apart, methods reading their `self` (each class's own attributes) cannot move to a
    conftest, fixtures that build a class (a model
    class per module) are never variants of one fixture, and a family is reported only
    when its one copy can live somewhere without changing the fixture any test gets (a
    conftest copy would replace a wider definition for the tests that use that one
    today: then the copies are overrides, not duplicates)."""
    units: dict[tuple[str, int], CloneUnit | None] = {}
    nodes: dict[tuple[str, int], set[str]] = defaultdict(set)
    for fixture in suite.fixtures:
        if fixture.origin not in (Origin.CONFTEST, Origin.MODULE, Origin.CLASS):
            continue
        key = (fixture.path, fixture.line)
        nodes[key].add(fixture.node)
        found = defs.get(key)
        if key not in units and found is not None:
            units[key] = clone_unit(*key, fixture.name, "", found, unittest=False)
    ordered = [u for k in sorted(units) if (u := units[k]) is not None]

    def subject(index: int) -> str:
        return "\x1f".join(sorted(context.subject(ordered[index])))

    def split(classes: list[list[int]]) -> list[list[int]]:
        return [s for c in classes for s in (classes_by(c, subject) if len(c) > 1 else [c])]

    def names(index: int) -> str:
        unit = ordered[index]
        refs = context.refs(unit.path, unit.line)
        return "\x1f".join(f"{k}={v}" for k, v in sorted(refs.items()))

    families = [
        f
        for c in split(classes_by(range(len(ordered)), lambda i: _fixture_key(ordered[i])))
        for f in (classes_by(c, names) if len(c) > 1 else [c])
        if not any(context.reads_instance(ordered[i]) for i in f)
    ]
    hoisting = _Hoisting(context, nodes)
    schemas = _Schemas(ordered, context)
    groups: list[DuplicateGroup] = []
    for family in families:
        members = [ordered[i] for i in family]
        if len({m.path for m in members}) < 2:
            continue
        if schemas.differ(members) or _overrides(suite, members, nodes):
            continue
        clone = "exact" if len({m.shape.exact for m in members}) == 1 else "renamed"
        advice = hoisting.advice(members)
        if advice is not None:
            groups.append(DuplicateGroup("fixture", clone, sorted_members(members), 1.0, advice))
    big = [
        f[0]
        for f in families
        if ordered[f[0]].shape.size >= settings.min_tokens
        and not any(context.defines_class(ordered[i]) for i in f)
    ]
    renamed = split(
        loosely_merged(
            classes_by(big, lambda i: ordered[i].shape.renamed), ordered, settings.loose_min_tokens
        )
    )
    for variants in renamed:
        members = [ordered[i] for i in variants]
        if len({m.path for m in members}) < 2 or len({m.name for m in members}) < 2:
            continue
        groups.append(_variants_group(suite, members))
    return groups


class _Schemas:
    """The model classes each file builds in fixtures: its schema."""

    def __init__(self, units: list[CloneUnit], context: Context) -> None:
        self.context = context
        self.by_path: dict[str, list[CloneUnit]] = defaultdict(list)
        self.by_name: dict[str, list[CloneUnit]] = defaultdict(list)
        for unit in units:
            self.by_path[unit.path].append(unit)
            self.by_name[unit.name].append(unit)
        self._schemas: dict[str, frozenset[str]] = {}

    def differ(self, members: list[CloneUnit]) -> bool:
        """Are fixtures that build a class (a model) per-module declarations? They are
        when their files' schemas differ (each copy is one part of its module's own
        schema, whose other models refer to it by name: equal to the other by
        coincidence), or when other modules under the conftest the copy would go to
        declare that name with other code (a conftest copy would be a default they
        shadow)."""
        if not any(self.context.defines_class(m) for m in members):
            return False
        if len({self.schema(m.path) for m in members}) > 1:
            return True
        folder = PurePosixPath(nearest_conftest([m.path for m in members])).parent
        key = _fixture_key(members[0])
        return any(
            _fixture_key(other) != key and PurePosixPath(other.path).is_relative_to(folder)
            for other in self.by_name[members[0].name]
        )

    def schema(self, path: str) -> frozenset[str]:
        found = self._schemas.get(path)
        if found is None:
            found = self._schemas[path] = frozenset(
                _fixture_key(u) for u in self.by_path[path] if self.context.defines_class(u)
            )
        return found


def _overrides(
    suite: Suite, members: list[CloneUnit], nodes: dict[tuple[str, int], set[str]]
) -> bool:
    """Does every copy override a conftest definition of its name with other code
    (one that is no member)? Then each module replaces the shared fixture on purpose,
    and a conftest copy would only be one more override."""
    places = {(m.path, m.line) for m in members}
    names = {m.name for m in members}
    wider = [
        d
        for d in suite.fixtures
        if d.name in names and d.origin is Origin.CONFTEST and (d.path, d.line) not in places
    ]
    return all(
        any(d.name == member.name and d.node != node and _covers(d.node, node) for d in wider)
        for member in members
        for node in nodes[member.path, member.line]
    )


def _variants_group(suite: Suite, units: list[CloneUnit]) -> DuplicateGroup:
    """Fixtures of other names with the same code up to names and literals."""
    conftest = nearest_conftest([u.path for u in units])
    exists = conftest in suite.conftests or (Path(suite.rootdir) / conftest).is_file()
    advice = (
        f"{len(units)} variants of one fixture, the same code up to names and literals: "
        f"one fixture in {conftest} ({'exists' if exists else 'create it'}) taking what "
        "differs (a factory fixture, or `params=`) should replace them"
    )
    return DuplicateGroup("fixture", "renamed", sorted_members(units), 1.0, advice)


def _fixture_key(unit: CloneUnit) -> str:
    shape = unit.shape
    return "\x1f".join((shape.renamed, *unit.params, "", *shape.values))


_ADDED = "\x00conftest copy"


class _Hoisting:
    """Where the one copy of a family can live: checked against what every test gets
    today, by pytest's rule (the definition closest to the test wins)."""

    def __init__(self, context: Context, nodes: dict[tuple[str, int], set[str]]) -> None:
        self.suite = context.suite
        self.resolution = context.resolution
        self.nodes = nodes
        self.keys: dict[tuple[str, int], set[str]] = defaultdict(set)
        for definition in self.suite.fixtures:
            self.keys[definition.path, definition.line].add(definition.key)

    def advice(self, units: list[CloneUnit]) -> str | None:
        """A member every other member's users already see (the others are overrides
        with the same body), else the nearest conftest; None when neither leaves every
        test the fixture it gets today."""
        suite, nodes = self.suite, self.nodes
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
                ) and self._keeps_every_test(units, others, unit.name, None):
                    return (
                        f"`{unit.name}` at {unit.path}:{unit.line} already serves every user: "
                        f"delete the {len(others)} overriding "
                        f"cop{'y' if len(others) == 1 else 'ies'}"
                    )
        conftest = nearest_conftest([u.path for u in units])
        name = names[0] if len(names) == 1 else min(units, key=lambda u: (u.path, u.line)).name
        node = str(PurePosixPath(conftest).parent)
        if not self._keeps_every_test(units, units, name, "" if node == "." else node):
            return None
        exists = conftest in suite.conftests or (Path(suite.rootdir) / conftest).is_file()
        copies = sum(u.path != conftest for u in units)
        where = "exists" if exists else "create it"
        return f"move `{name}` to {conftest} ({where}) and delete the {copies} copies{differ}"

    def _keeps_every_test(
        self, units: list[CloneUnit], removed: list[CloneUnit], name: str, added: str | None
    ) -> bool:
        """Do the tests get the same fixture once `removed` are deleted, a copy named
        `name` is added to the conftest at node `added` (None: none), and the users of
        members of other names request `name` instead?"""
        member_keys = {k for u in units for k in self.keys[u.path, u.line]}
        removed_keys = {k for u in removed for k in self.keys[u.path, u.line]}
        member_names = {u.name for u in units}
        definitions = self.resolution.definitions
        for test in self.suite.tests:
            closure = self.resolution.tests.get(test.nodeid)
            if closure is None or member_names.isdisjoint(closure.names):
                continue
            for key in closure.definitions:
                today = definitions.get(key)
                if today is None or today.name not in member_names:
                    continue
                was_member = key in member_keys
                if today.name != name and not was_member:
                    continue  # its users are not renamed
                winner: str | None = None
                for node in test.chain:
                    for definition in self.suite.visible(name, (node,)):
                        if definition.key not in removed_keys:
                            winner = definition.key
                    if node == added:
                        winner = _ADDED
                after_member = winner == _ADDED or winner in member_keys
                if was_member != after_member or (not was_member and winner != key):
                    return False
        return True


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
