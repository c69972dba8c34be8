"""The defs clone detection compares: one `CloneUnit` per test def or fixture def, with
its shape, and the grouping steps the test and fixture groups share."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from auditor.analysis.clone_groups import Member
from auditor.model.suite import Suite
from auditor.parse.summary import Function, Shape


@dataclass(frozen=True, slots=True)
class CloneUnit:
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


Defs = dict[tuple[str, int], tuple[Function, str]]
"""(path, line) -> the def there and its class's qualified name ("" at module level)."""


def defs_by_line(suite: Suite) -> Defs:
    """Every def of the parsed files by (path, line), with its class's qualified name."""
    return {
        (path, function.line): (function, ".".join(k.name for k in owners))
        for path, summary in suite.modules.items()
        for function, owners in summary.defs()
    }


def clone_unit(
    path: str, line: int, name: str, nodeid: str, found: tuple[Function, str], unittest: bool
) -> CloneUnit | None:
    """The unit of a def, None when the parser kept no shape for it."""
    function, owner = found
    if function.shape is None:
        return None
    params = [p.name for p in function.params if p.kind not in ("var_positional", "var_keyword")]
    if owner and not function.is_staticmethod and params:
        params = params[1:]
    return CloneUnit(
        path, line, name, nodeid, function.shape, owner, unittest, tuple(params), function
    )


def test_units(suite: Suite, defs: Defs) -> list[CloneUnit]:
    """One unit per test def (not per collected item), in (path, line) order."""
    units: dict[tuple[str, int], CloneUnit | None] = {}
    for test in sorted(suite.tests, key=lambda t: t.nodeid):
        key = (test.defined_in or test.path, test.line)
        found = defs.get(key)
        if key not in units and found is not None:
            units[key] = clone_unit(*key, found[0].name, test.nodeid, found, test.is_unittest)
    return [u for k in sorted(units) if (u := units[k]) is not None]


def loosely_merged(
    renamed: list[list[int]], units: list[CloneUnit], min_tokens: int
) -> list[list[int]]:
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


def classes_by(indices: Iterable[int], key: Callable[[int], str]) -> list[list[int]]:
    """Indices grouped by `key`, each group and the groups in first-seen order."""
    found: dict[str, list[int]] = {}
    for index in indices:
        found.setdefault(key(index), []).append(index)
    return list(found.values())


def sorted_members(units: Iterable[CloneUnit]) -> tuple[Member, ...]:
    return tuple(sorted((u.member for u in units), key=lambda m: (m.path, m.line, m.name)))
