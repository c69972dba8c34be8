"""Test orders: seeded shuffles by module, class or test; reversed; targeted at the leaks seen.

Node ids are pytest's (``path::Class::test[param]``). A shuffle keeps the tests of a module
together when it shuffles by module (and of a class when it shuffles by class), the way
pytest-randomly does, so module- and class-scoped fixtures are set up as often as usual.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

from auditor.dynamic.probes import Change

MODES = ("module", "class", "test")


def module_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def class_of(nodeid: str) -> str:
    """The node id of the test's class (or its module, for a function)."""
    return nodeid.rsplit("::", 1)[0]


def _groups(nodeids: Sequence[str], key: object) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for nodeid in nodeids:
        groups.setdefault(key(nodeid), []).append(nodeid)  # type: ignore[operator]
    return groups


def shuffled(nodeids: Sequence[str], seed: int, mode: str = "test") -> list[str]:
    """``nodeids`` shuffled with ``seed``: modules, then classes in them, then tests in those.

    ``mode`` is the finest level shuffled: ``module`` keeps each module's tests in order,
    ``class`` also shuffles the classes of a module, ``test`` shuffles everything.
    """
    if mode not in MODES:
        raise ValueError(f"unknown shuffle mode {mode!r}; expected one of {', '.join(MODES)}")
    rng = random.Random(seed)
    modules = _groups(nodeids, module_of)
    names = list(modules)
    rng.shuffle(names)
    order: list[str] = []
    for name in names:
        classes = _groups(modules[name], class_of)
        class_names = list(classes)
        if mode in ("class", "test"):
            rng.shuffle(class_names)
        for class_name in class_names:
            tests = list(classes[class_name])
            if mode == "test":
                rng.shuffle(tests)
            order.extend(tests)
    return order


def reversed_order(nodeids: Sequence[str]) -> list[str]:
    return list(reversed(nodeids))


def reverters(nodeids: Sequence[str], leaked: Mapping[str, Sequence[Change]]) -> list[str]:
    """Tests that undo state an earlier test left changed (the cleaners' candidates).

    A change reverts when its ``before`` is what an earlier test's change left (``after``)
    and its ``after`` is what was there before that (a removal counts).
    """
    last: dict[tuple[str, str], Change] = {}
    found: list[str] = []
    for nodeid in nodeids:
        for change in leaked.get(nodeid, ()):
            earlier = last.get(change.where)
            if earlier is not None and change.undoes(earlier) and nodeid not in found:
                found.append(nodeid)
            last[change.where] = change
    return found


def targeted(nodeids: Sequence[str], leaked: Mapping[str, Sequence[Change]]) -> list[str]:
    """An order that puts every test that leaked state before every test that did not.

    Tests that undo an earlier test's state come first (so they clean nothing up), then the
    tests that leaked, in their usual order (a leaker that reads another's state meets it here
    when it runs after it by default, and in the reversed round otherwise), then the rest.
    """
    first = reverters(nodeids, leaked)
    leakers = [n for n in nodeids if leaked.get(n) and n not in first]
    placed = set(first) | set(leakers)
    return first + leakers + [n for n in nodeids if n not in placed]
