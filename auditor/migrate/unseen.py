"""Tests in a module that the model does not see: a class whose name pytest's rules do not
collect (``python_classes``) but which defines test-named methods. A plugin's collection
hook may collect it all the same (SQLAlchemy's testing plugin collects every subclass of
its ``TestBase``, whatever the name), and then a move changes node ids the plan does not
map and a module ``pytestmark`` marks tests the plan does not list. What the model cannot
see it cannot prove: the module's move, mark and split are held back.

A class that another class of the suite inherits from is a mixin, not such a class; a
class inherits the test methods of its bases in the same module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from auditor.model.naming import matches_prefix_or_glob
from auditor.model.suite import TestItem
from auditor.parse.summary import Class, ModuleSummary

SHOWN = 3


def base_names(modules: Iterable[ModuleSummary]) -> frozenset[str]:
    """The last part of every base class named in ``modules`` (``a.B``: ``B``)."""
    found: set[str] = set()
    stack: list[Class] = [k for module in modules for k in module.classes]
    while stack:
        klass = stack.pop()
        found.update(base.rpartition(".")[2] for base in klass.bases)
        stack.extend(klass.classes)
    return frozenset(found)


def unseen_hazards(
    summary: ModuleSummary,
    tests: Iterable[TestItem],
    python_functions: Iterable[str],
    bases: frozenset[str],
) -> list[str]:
    """A hazard per module-level class of ``summary`` that defines test-named methods but
    has no test among ``tests`` (the module's collected tests) and is no one's base."""
    prefixes = tuple(python_functions)
    collected = {_class_of(test.nodeid) for test in tests}
    local = {klass.name: klass for klass in summary.classes}
    found = []
    for klass in summary.classes:
        if klass.name in collected or klass.name in bases or klass.test_attr is False:
            continue
        names = [
            f.name
            for k in _with_local_bases(klass, local)
            for f in k.functions
            if f.fixture is None and matches_prefix_or_glob(f.name, prefixes)
        ]
        if names:
            shown = ", ".join(names[:SHOWN]) + (", ..." if len(names) > SHOWN else "")
            found.append(
                f"class {klass.name} (line {klass.line}) has tests ({shown}) that pytest's "
                "rules do not collect: a plugin's collection hook may (SQLAlchemy's does), "
                "and the model does not see them"
            )
    return found


def _with_local_bases(klass: Class, local: Mapping[str, Class]) -> list[Class]:
    """``klass`` and the bases it inherits from its own module, each once."""
    order: list[Class] = []
    stack = [klass]
    while stack:
        current = stack.pop()
        if all(current is not k for k in order):
            order.append(current)
            stack.extend(local[b] for b in reversed(current.bases) if b in local)
    return order


def _class_of(nodeid: str) -> str:
    parts = nodeid.partition("[")[0].split("::")
    return parts[1] if len(parts) > 2 else ""


def unseen_by_module(
    modules: Mapping[str, ModuleSummary],
    tests: Iterable[TestItem],
    paths: Iterable[str],
    python_functions: Iterable[str],
) -> dict[str, list[str]]:
    """:func:`unseen_hazards` of each of ``paths`` (test modules, relative to the rootdir)
    that has any."""
    by_path: dict[str, list[TestItem]] = {}
    for test in tests:
        by_path.setdefault(test.path, []).append(test)
    bases = base_names(modules.values())
    found = {}
    for path in paths:
        summary = modules.get(path)
        if summary is None:
            continue
        hazards = unseen_hazards(summary, by_path.get(path, ()), python_functions, bases)
        if hazards:
            found[path] = hazards
    return found
