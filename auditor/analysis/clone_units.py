"""The defs clone detection compares: one `CloneUnit` per test def or fixture def, with
its shape, and the grouping steps the test and fixture groups share."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePosixPath

from auditor.analysis.clone_cache import CloneCache, Table, content_key
from auditor.analysis.clone_groups import Member
from auditor.analysis.near_clones import CheckedValues, checked_values
from auditor.analysis.resolution import Resolution
from auditor.model.suite import FixtureDef, Origin, Suite, TestItem
from auditor.parse.summary import Function, Shape
from auditor.parse.trees import ParsedFiles


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
    """One unit per test def (not per collected item), in (path, line) order. A def
    collected under several classes (a shared base's tests) is seen from one of them:
    the class that collects the most defs of its own class, so that two tests of one
    base are compared under the same class, over the same fixtures."""
    items: dict[tuple[str, int], list[TestItem]] = {}
    for test in sorted(suite.tests, key=lambda t: t.nodeid):
        key = (test.defined_in or test.path, test.line)
        if key in defs:
            items.setdefault(key, []).append(test)
    chosen = _viewing_classes(items, defs)
    units: list[CloneUnit] = []
    for key in sorted(items):
        found = defs[key]
        candidates = items[key]
        test = next((t for t in candidates if _class_node(t) == chosen.get(key)), candidates[0])
        unit = clone_unit(*key, found[0].name, test.nodeid, found, test.is_unittest)
        if unit is not None:
            units.append(unit)
    return units


def _class_node(test: TestItem) -> str:
    return test.nodeid.partition("[")[0].rpartition("::")[0]


def _viewing_classes(
    items: dict[tuple[str, int], list[TestItem]], defs: Defs
) -> dict[tuple[str, int], str]:
    """For the defs of each class collected under more than one class node: the node
    that collects the most of them (the first such node in node-id order)."""
    by_owner: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for key, tests in items.items():
        if len(tests) > 1:
            by_owner.setdefault((key[0], defs[key][1]), []).append(key)
    chosen: dict[tuple[str, int], str] = {}
    for keys in by_owner.values():
        counts: dict[str, int] = {}
        for key in keys:
            for node in dict.fromkeys(_class_node(t) for t in items[key]):
                counts[node] = counts.get(node, 0) + 1
        best = min(counts, key=lambda node: (-counts[node], node))
        chosen.update((key, best) for key in keys)
    return chosen


def overriding_defs(suite: Suite, defs: Defs) -> frozenset[tuple[str, int]]:
    """The test defs that override a test of a base class (`test_parsing_headers` of a
    subclass over the one of the shared `CommonTestCase`): a deliberate variant for that
    class, never a copy of the test it replaces. A class node draws its other items from
    the base, which is how the inheritance is seen without reading the bases again."""
    by_class: dict[str, set[tuple[str, int]]] = {}
    for test in suite.tests:
        by_class.setdefault(_class_node(test), set()).add((test.defined_in or test.path, test.line))
    named: dict[str, set[tuple[str, int]]] = {}
    for key, (function, _) in defs.items():
        named.setdefault(function.name, set()).add(key)
    found: set[tuple[str, int]] = set()
    for keys in by_class.values():
        drawn_from = {(key[0], defs[key][1]) for key in keys if key in defs}
        for key in keys:
            if key not in defs:
                continue
            function, owner = defs[key]
            found.update(
                key
                for other in named[function.name]
                if other != key
                and (other[0], defs[other][1]) in drawn_from
                and (other[0], defs[other][1]) != (key[0], owner)
            )
    return frozenset(found)


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


# -- what the names of a def resolve to ----------------------------------------------------

_SETUP_METHODS = frozenset(
    {"setUp", "setUpClass", "asyncSetUp", "setup_method", "setup_class", "setup"}
)
"""The xunit and unittest setup a test class runs around its tests."""

_TEST_AFFIXES = re.compile(r"^Tests?(?=[A-Z_])|(?:Tests?|TestCase|Case)$")
"""What a test class's name adds to its subject (`TestOrders`, `OrderTests`)."""
_TEST_WORDS = frozenset({"test", "tests", "case"})
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def words(name: str) -> frozenset[str]:
    """The lower-case words of an identifier or a file stem (`IsoDateFilterTests`: iso,
    date, filter, tests; `test_source_json`: test, source, json)."""
    return frozenset(w.lower() for w in _WORD.findall(name))


_VARIANT = re.compile(r"_py\d+$")
"""A module written again for another Python version (``tutorial001_py310`` next to
``tutorial001``): the same subject, so tests over the two are copies of one test."""


class Context:
    """What the names of a def resolve to, read from its file (``ast``, never imported):
    the free names of its body and the names it imports locally, each resolved through
    the module's top-level imports, defs, classes and assignments; and for a test, the
    fixture definitions pytest gives it. Two defs with the same code are copies only
    when these agree: the same body over another docs module, another model class or
    another fixture is another test. Files are parsed on first use, for the defs that
    have clones only."""

    def __init__(
        self,
        suite: Suite,
        resolution: Resolution,
        defs: Defs,
        files: ParsedFiles | None = None,
        cache: CloneCache | None = None,
    ) -> None:
        self.suite = suite
        self.resolution = resolution
        self.defs = defs
        self.root = Path(suite.rootdir)
        self.files = files or ParsedFiles(self.root)
        self.cache = cache
        """Each file's table of references by content (None: every file is parsed)."""
        self._tables: dict[str, Table | None] = {}
        self._shapes: dict[str, list[str]] | None = None
        self._files: dict[str, tuple[dict[int, ast.AST], dict[str, str]] | None] = {}
        self._refs: dict[tuple[str, int], dict[str, str]] = {}
        self._classes: dict[tuple[str, int], bool] = {}
        self._modules: dict[str, bool] = {}
        self._fixtures: dict[str, str] = {}
        self._checked: dict[tuple[str, int], CheckedValues | None] = {}

    # -- per def -------------------------------------------------------------------------

    def refs(self, path: str, line: int) -> dict[str, str]:
        """Each free or locally imported name of the def -> what it is: a dotted import
        target, ``def:<digest>`` for a module-level function (copies of a helper are
        one helper), ``class:<path>::<name>`` for a module-level class (two model
        classes of one name are two classes), ``value:<dump>`` for a module-level
        assignment. Names bound nowhere (builtins, star imports) are left out."""
        key = (path, line)
        found = self._refs.get(key)
        if found is None:
            table = self._table(path)
            if table is not None:
                found = table[line][0] if line in table else {}
            else:
                found = self._read_refs(path, line)
            self._refs[key] = found
        return found

    def subject(self, unit: CloneUnit) -> frozenset[str]:
        """The modules of the project the def works on as objects (``from docs import
        tutorial003 as mod``; ``importlib.reload(mod)``), with Python-version variants
        folded: the same code over another module is another test."""
        return frozenset(
            ".".join(_VARIANT.sub("", part) for part in target.split("."))
            for target in self.refs(unit.path, unit.line).values()
            if ":" not in target and self.is_module(target)
        )

    def fixture_subject(self, unit: CloneUnit) -> frozenset[str]:
        """For a test: the objects of the project its fixtures work on (what the names
        their code reads that are imported from the project's modules resolve to, with
        Python-version variants folded). The same steps over a file-local `Booking`
        model of a `DateRangeType` column and over one of a `DateTimeRangeType` column
        test two types; over two model graphs built with one `aggregated`, one feature."""
        if not unit.nodeid:
            return frozenset()
        closure = self.resolution.tests.get(unit.nodeid)
        if closure is None:
            return frozenset()
        found: set[str] = set()
        for key in closure.definitions:
            definition = self.resolution.definitions.get(key)
            if definition is None:
                continue
            for target in self.refs(definition.path, definition.line).values():
                if ":" not in target and self._in_project(target):
                    found.add(".".join(_VARIANT.sub("", p) for p in target.split(".")))
        return frozenset(found)

    def defines_class(self, unit: CloneUnit) -> bool:
        """Does the def's body define a class (a fixture building a model class)?"""
        key = (unit.path, unit.line)
        found = self._classes.get(key)
        if found is None:
            table = self._table(unit.path)
            if table is not None:
                found = table[unit.line][1] if unit.line in table else False
            else:
                found = self._defines_class(unit.path, unit.line)
            self._classes[key] = found
        return found

    def awaits(self, unit: CloneUnit) -> bool:
        """Does an ``async def`` wait on something in its body (``await``, ``async with``,
        ``async for``)? Its steps then cannot be shared with a synchronous def's."""
        if not unit.function.is_async:
            return False
        node = self._node(unit.path, unit.line)
        return node is not None and any(
            isinstance(n, ast.Await | ast.AsyncWith | ast.AsyncFor) for n in ast.walk(node)
        )

    def checked_values(self, unit: CloneUnit) -> CheckedValues | None:
        """What the def checks, values included (`near_clones.checked_values`); None when
        its file cannot be read."""
        key = (unit.path, unit.line)
        if key not in self._checked:
            node = self._node(unit.path, unit.line)
            self._checked[key] = (
                checked_values(node)
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                else None
            )
        return self._checked[key]

    def indirect_params(self, unit: CloneUnit) -> dict[str, str]:
        """The fixtures the def's ``parametrize(..., indirect=...)`` marks give values, each
        -> the code of those values: tests over ``spec`` at "2.0" and at "3.0.0" run in
        two setups, the way tests over two fixtures do."""
        node = self._node(unit.path, unit.line)
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return {}
        found: dict[str, str] = {}
        for decorator in node.decorator_list:
            found.update(_indirect_values(decorator))
        return found

    def own_subject(self, unit: CloneUnit, group: Sequence[CloneUnit]) -> str:
        """The object `unit` reads as the subject its class or file is named for, when
        the others of `group` sit in other classes or files and do not all read it:
        `test_filtering_start` of `IsoDateTimeRangeFilterTests` over
        `IsoDateTimeRangeFilter`, where `DateTimeRangeFilterTests` has the same test over
        `DateTimeRangeFilter`; `test_no_file` of `test_source_json.py` over
        `JsonSource`, beside `test_source_yaml.py`'s over `YamlSource`. Suites laid out
        one class or module per subject test each subject on purpose: such copies are
        parallel tests, not cases of one. "" when there is none."""
        others = [u for u in group if (u.path, u.owner) != (unit.path, unit.owner)]
        if not others:
            return ""
        everywhere = set.intersection(*(set(self.refs(o.path, o.line)) for o in others))
        own = sorted(set(self.refs(unit.path, unit.line)) - everywhere)
        if not own:
            return ""
        if unit.owner and all(o.owner != unit.owner for o in others):
            named = unit.owner.rsplit(".", 1)[-1]
            subject = _TEST_AFFIXES.sub("", named).lower()
            others_words = set().union(*(words(o.owner.rsplit(".", 1)[-1]) for o in others))
        elif all(o.path != unit.path for o in others):
            named = PurePosixPath(unit.path).stem
            subject = ""
            others_words = set().union(*(words(PurePosixPath(o.path).stem) for o in others))
        else:
            return ""
        distinct = words(named) - others_words - _TEST_WORDS
        for name in own:
            if name.lower() == subject or (distinct and distinct <= words(name)):
                return name
        return ""

    def reads_instance(self, unit: CloneUnit) -> bool:
        """Does a method read its ``self`` or ``cls`` (what each class has)?"""
        node = self._node(unit.path, unit.line) if unit.owner else None
        return node is not None and any(
            isinstance(n, ast.Name) and n.id in ("self", "cls") for n in ast.walk(node)
        )

    def _defines_class(self, path: str, line: int) -> bool:
        node = self._node(path, line)
        return node is not None and any(
            isinstance(n, ast.ClassDef) for n in ast.walk(node) if n is not node
        )

    def _table(self, path: str) -> Table | None:
        """Every def of `path` -> (its references, whether it defines a class), from the
        cache when the file and its shapes are unchanged, else read from its tree and
        stored; None without a cache or when the file cannot be read."""
        if self.cache is None:
            return None
        if path in self._tables:
            return self._tables[path]
        if self._shapes is None:
            self._shapes = {}
            for (where, _), (function, _) in self.defs.items():
                if function.shape is not None:
                    self._shapes.setdefault(where, []).append(function.shape.exact)
        digest = content_key(self.root, path, self._shapes.get(path, []))
        table = None if digest is None else self.cache.get(path, digest)
        if table is None and digest is not None:
            parsed = self._file(path)
            if parsed is not None:
                table = {
                    line: (self._read_refs(path, line), self._defines_class(path, line))
                    for line in parsed[0]
                }
                self.cache.store(path, digest, table)
        self._tables[path] = table
        return table

    def save(self) -> None:
        """Store the tables read this run (a no-op without a cache)."""
        if self.cache is not None:
            self.cache.save(self.root)

    def fixtures(self, unit: CloneUnit) -> dict[str, str]:
        """For a test: each fixture of its closure -> what it is (the same code, over
        names that resolve alike, is the same fixture wherever it is defined)."""
        if not unit.nodeid:
            return {}
        closure = self.resolution.tests.get(unit.nodeid)
        if closure is None:
            return {}
        found: dict[str, str] = {}
        for key in closure.definitions:
            definition = self.resolution.definitions.get(key)
            if definition is not None and definition.origin is not Origin.XUNIT:
                found[definition.name] = self._fixture_identity(definition)
        return found

    def setups(self, unit: CloneUnit) -> dict[str, str]:
        """The setup methods the def's own class defines (`setUp`, `setup_method`...),
        by the shape of their code. pytest's stand-in fixtures for them are named after
        each class (`_unittest_setUpClass_fixture_UserAPITestCase`) and would make every
        two classes differ; two classes that inherit one setup do not."""
        if not unit.owner:
            return {}
        return self._setups_by_class.get((unit.path, unit.owner), {})

    @cached_property
    def _setups_by_class(self) -> dict[tuple[str, str], dict[str, str]]:
        """`setups` of every class, by (path, class), read in one pass over the defs."""
        found: dict[tuple[str, str], dict[str, str]] = {}
        for (path, line), (function, owner) in self.defs.items():
            if owner and function.name in _SETUP_METHODS:
                shape = function.shape.exact if function.shape is not None else f"{path}:{line}"
                found.setdefault((path, owner), {})[function.name] = shape
        return found

    def resolved(self, unit: CloneUnit) -> dict[str, str]:
        """What every name the def uses resolves to: its references, and for a test
        its fixtures (as ``fixture:<name>``) and its class's setup (``setup:<name>``)."""
        refs = dict(self.refs(unit.path, unit.line))
        refs.update((f"fixture:{k}", v) for k, v in self.fixtures(unit).items())
        refs.update((f"setup:{k}", v) for k, v in self.setups(unit).items())
        return refs

    def differing(self, units: Sequence[CloneUnit]) -> tuple[str, ...]:
        """The names that resolve to something else in some of `units` (fixtures as
        ``fixture:<name>``), sorted."""
        resolved = [self.resolved(u) for u in units]
        names = sorted(set().union(*resolved))
        return tuple(n for n in names if len({r.get(n) for r in resolved}) > 1)

    # -- helpers -------------------------------------------------------------------------

    def is_module(self, dotted: str) -> bool:
        """Is `dotted` a module or package of the project (a file under the rootdir, or
        under its ``src``)?"""
        found = self._modules.get(dotted)
        if found is None:
            parts = [p for p in dotted.split(".") if p]
            found = bool(parts) and any(
                (base / Path(*parts)).with_suffix(".py").is_file()
                or (base / Path(*parts) / "__init__.py").is_file()
                for base in (self.root, self.root / "src")
            )
            self._modules[dotted] = found
        return found

    def _in_project(self, dotted: str) -> bool:
        """Is `dotted` a module of the project, or a name imported from one?"""
        module = dotted.rsplit(".", 1)[0] if "." in dotted else dotted
        return self.is_module(dotted) or self.is_module(module)

    def _fixture_identity(self, definition: FixtureDef) -> str:
        found = self._fixtures.get(definition.key)
        if found is None:
            entry = self.defs.get((definition.path, definition.line))
            if entry is None or entry[0].shape is None:
                found = definition.key
            else:
                refs = self.refs(definition.path, definition.line)
                found = "\x1f".join(
                    (entry[0].shape.exact, *(f"{k}={v}" for k, v in sorted(refs.items())))
                )
            self._fixtures[definition.key] = found
        return found

    def _file(self, path: str) -> tuple[dict[int, ast.AST], dict[str, str]] | None:
        if path in self._files:
            return self._files[path]
        parsed: tuple[dict[int, ast.AST], dict[str, str]] | None = None
        source = self.files.get(path)
        if source is not None:
            nodes: dict[int, ast.AST] = {}
            defs = [*source.of_type(ast.FunctionDef), *source.of_type(ast.AsyncFunctionDef)]
            for node in defs:
                nodes.setdefault(node.lineno, node)
            parsed = (nodes, self._top_level(path, source.tree.body))
        self._files[path] = parsed
        return parsed

    def _node(self, path: str, line: int) -> ast.AST | None:
        parsed = self._file(path)
        return None if parsed is None else parsed[0].get(line)

    def _top_level(self, path: str, body: list[ast.stmt]) -> dict[str, str]:
        """The module's names -> what they are (the last binding wins)."""
        names: dict[str, str] = {}
        for statement in body:
            if isinstance(statement, ast.If | ast.Try):
                nested = [*statement.body, *statement.orelse]
                if isinstance(statement, ast.Try):
                    nested += [s for h in statement.handlers for s in h.body]
                names.update(self._top_level(path, nested))
            elif isinstance(statement, ast.Import | ast.ImportFrom):
                names.update(_imported(path, statement))
            elif isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
                entry = self.defs.get((path, statement.lineno))
                shape = entry[0].shape if entry is not None else None
                names[statement.name] = (
                    f"def:{shape.exact}" if shape is not None else f"def:{path}::{statement.name}"
                )
            elif isinstance(statement, ast.ClassDef):
                names[statement.name] = f"class:{path}::{statement.name}"
            elif isinstance(statement, ast.Assign | ast.AnnAssign) and statement.value:
                targets = (
                    statement.targets if isinstance(statement, ast.Assign) else [statement.target]
                )
                value = f"value:{ast.dump(statement.value)}"
                for target in targets:
                    if isinstance(target, ast.Name):
                        names[target.id] = value
        return names

    def _read_refs(self, path: str, line: int) -> dict[str, str]:
        parsed = self._file(path)
        if parsed is None:
            return {}
        nodes, top = parsed
        node = nodes.get(line)
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return {}
        bound: set[str] = {a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)}
        local: dict[str, str] = {}
        used: list[str] = []
        for statement in node.body:
            for child in ast.walk(statement):
                if isinstance(child, ast.Import | ast.ImportFrom):
                    local.update(_imported(path, child))
                elif isinstance(child, ast.Name):
                    if isinstance(child.ctx, ast.Load):
                        used.append(child.id)
                    else:
                        bound.add(child.id)
                elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                    bound.add(child.name)
                elif isinstance(child, ast.ExceptHandler):
                    bound.add(child.name or "")
                elif isinstance(child, ast.arg):
                    bound.add(child.arg)
        refs = dict(local)
        for name in used:
            if name in local or name in bound or name in refs:
                continue
            target = top.get(name)
            if target is not None:
                refs[name] = target
        return refs


def _indirect_values(decorator: ast.expr) -> dict[str, str]:
    """``@pytest.mark.parametrize("spec", ["3.0.0"], indirect=True)`` -> {"spec": code of
    its values}; {} for any other decorator."""
    if not (
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr == "parametrize"
        and len(decorator.args) >= 2
    ):
        return {}
    indirect = next((k.value for k in decorator.keywords if k.arg == "indirect"), None)
    names_node = decorator.args[0]
    if isinstance(names_node, ast.Constant) and isinstance(names_node.value, str):
        names = [n.strip() for n in names_node.value.split(",") if n.strip()]
    elif isinstance(names_node, ast.List | ast.Tuple):
        names = [str(e.value) for e in names_node.elts if isinstance(e, ast.Constant)]
    else:
        return {}
    if isinstance(indirect, ast.Constant) and indirect.value is True:
        chosen = names
    elif isinstance(indirect, ast.List | ast.Tuple):
        chosen = [str(e.value) for e in indirect.elts if isinstance(e, ast.Constant)]
    else:
        return {}
    values = ast.dump(decorator.args[1], annotate_fields=False)
    return dict.fromkeys(chosen, values)


def _imported(path: str, statement: ast.Import | ast.ImportFrom) -> dict[str, str]:
    """The names an import binds -> their dotted targets (relative ones resolved
    against `path`'s folders)."""
    names: dict[str, str] = {}
    if isinstance(statement, ast.Import):
        for alias in statement.names:
            if alias.asname:
                names[alias.asname] = alias.name
            else:
                head = alias.name.split(".", 1)[0]
                names[head] = head
        return names
    module = statement.module or ""
    if statement.level:
        base = list(PurePosixPath(path).parent.parts)
        base = base[: len(base) - (statement.level - 1)] if statement.level > 1 else base
        module = ".".join([*base, *([module] if module else [])])
    for alias in statement.names:
        if alias.name != "*":
            names[alias.asname or alias.name] = f"{module}.{alias.name}" if module else alias.name
    return names
