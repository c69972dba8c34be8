"""The plain-data summary of one parsed file: what pytest would find in it, nothing more.

Everything here is a frozen dataclass of strings, ints and tuples, so summaries pickle
across processes and serialise into the cache. No libcst object leaks out of `auditor.parse`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field


class _Pickled:
    """Pickled as a call of its constructor with its fields.

    dataclasses unpickle a frozen, slotted class through a Python ``__setstate__`` that
    calls ``fields()`` for every object: a one-file ``check`` of sympy unpickles some
    10,000 of them from the cache, and a constructor call is 2.5 times as fast.
    """

    __slots__ = ()
    __match_args__: tuple[str, ...]

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        return (type(self), tuple(getattr(self, name) for name in self.__match_args__))


@dataclass(frozen=True, slots=True)
class Mark(_Pickled):
    """A `pytest.mark.NAME(...)` application; `args` keeps the literal string arguments."""

    name: str
    line: int
    args: tuple[str, ...] = ()
    kwargs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Parametrize(_Pickled):
    """A `pytest.mark.parametrize` mark.

    `indirect` holds the argnames that go through fixtures (all of them for
    ``indirect=True``); `cases` is the number of parameter sets when it is a literal.
    """

    argnames: tuple[str, ...]
    line: int
    indirect: tuple[str, ...] = ()
    cases: int | None = None
    dynamic_argnames: bool = False
    scope: str | None = None
    values_from: str | None = None
    """The name the values are read from when `cases` is not known here (an imported
    list: `parametrize("field", ALL_FIELDS)`), for the model to count."""

    @property
    def direct(self) -> tuple[str, ...]:
        return tuple(n for n in self.argnames if n not in self.indirect)


@dataclass(frozen=True, slots=True)
class FixtureSpec(_Pickled):
    """The arguments of a fixture decorator."""

    name: str | None = None
    scope: str = "function"
    scope_dynamic: bool = False
    autouse: bool = False
    has_params: bool = False
    params_count: int | None = None
    kind: str = "pytest"
    params_from: str | None = None
    """The name `params` is read from when its count is not known here."""


@dataclass(frozen=True, slots=True)
class Param(_Pickled):
    """One parameter of a def. `kind` is positional_only, positional, keyword_only,
    var_positional or var_keyword."""

    name: str
    kind: str
    has_default: bool = False


@dataclass(frozen=True, slots=True)
class Shape(_Pickled):
    """A def normalised for clone detection (computed by `auditor.parse.shape` from the
    libcst tree: whitespace, comments, parentheses and the docstring dropped).

    `exact` is a digest of the normalised tree with names and literals kept (type-1
    clones share it); `literals` keeps names but abstracts literals (tests that differ
    only in literals: parametrize candidates); `renamed` also renames identifiers
    consistently (type-2 clones). `size` counts normalised tokens; `shingles` are sorted
    hashes of token k-grams of the renamed stream (type-3 near misses); `values` are the
    literals in order, as written, for the parametrize suggestion. `loose` renames every
    identifier, the names of what the def calls and reads too, and abstracts literals
    of every kind to one (type-2 clones over other objects, for larger defs). `steps`
    fingerprints each simple statement of the body in order (literals abstracted, every
    name the def binds one placeholder), the low bit set for a check (an assert, a
    checking call, a statement under `pytest.raises`): near clones are compared by what
    they do before each check, not only by the tokens they share.
    """

    exact: str
    literals: str
    renamed: str
    size: int
    shingles: tuple[int, ...] = ()
    values: tuple[str, ...] = ()
    loose: str = ""
    steps: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Call(_Pickled):
    """A call (or a decorator, or a string naming a patch target) in a def's body.

    `name` is dotted and qualified through the module's and the def's imports
    (``sa.create_engine`` -> ``sqlalchemy.create_engine``); a method on an expression
    that is not a name keeps only ``.method``. `kind` is "call", "decorator", "patch"
    (the target string of ``mock.patch("...")`` or ``monkeypatch.setattr("...")``),
    "url" (a string literal holding ``scheme://``), "url-choice" (right after a "url":
    the name it is picked by, its key in a table of URLs or the string an ``if`` compares
    with), "default" (the string default of a command-line option or an environment
    variable) or "open-write" (``open(path, "w")``, `name` is the literal path or "?").
    """

    name: str
    line: int
    kind: str = "call"


@dataclass(frozen=True, slots=True)
class Reach(_Pickled):
    """What a def's body does that tells its tier: calls, timing, loops, asserts."""

    calls: tuple[Call, ...] = ()
    ordering_asserts: tuple[int, ...] = ()
    """Lines of asserts that bound what looks like a measurement (a difference, or a name
    such as ``elapsed``) by a number or an UPPER_CASE constant with <, <=, > or >=."""
    loops: tuple[tuple[int, int], ...] = ()
    """(iterations, line) of ``for ... in range(N)`` loops and comprehensions with a literal N."""
    asserts: int = 0


@dataclass(frozen=True, slots=True)
class Function(_Pickled):
    """A `def` at module or class level."""

    name: str
    line: int
    col: int
    end_line: int
    params: tuple[Param, ...] = ()
    is_async: bool = False
    is_generator: bool = False
    is_staticmethod: bool = False
    is_classmethod: bool = False
    classmethod_outer: bool = False
    """``@classmethod`` above the fixture decorator (pytest >= 9.2 does not register it)."""
    is_abstract: bool = False
    fixture: FixtureSpec | None = None
    marks: tuple[Mark, ...] = ()
    parametrize: tuple[Parametrize, ...] = ()
    mock_patch_args: int = 0
    supplied: tuple[str, ...] = ()
    supplied_positional: int = 0
    getfixturevalue: tuple[str, ...] = ()
    dynamic_getfixturevalue: bool = False
    test_attr: bool | None = None
    decorated: bool = False
    reach: Reach | None = None
    shape: Shape | None = None
    named_decorators: tuple[str, ...] = ()
    """Decorators written as a bare name this module does not bind to anything known
    (``@patch_normalize_url``): the model looks them up where they are imported from."""

    @property
    def usefixtures(self) -> tuple[str, ...]:
        return tuple(a for m in self.marks if m.name == "usefixtures" for a in m.args)


@dataclass(frozen=True, slots=True)
class Class(_Pickled):
    """A `class` at module level or nested in another class."""

    name: str
    line: int
    col: int
    bases: tuple[str, ...] = ()
    functions: tuple[Function, ...] = ()
    classes: tuple[Class, ...] = ()
    marks: tuple[Mark, ...] = ()
    parametrize: tuple[Parametrize, ...] = ()
    mock_patch_args: int = 0
    has_init: bool = False
    has_new: bool = False
    test_attr: bool | None = None


@dataclass(frozen=True, slots=True)
class Binding(_Pickled):
    """A module-level name binding, in source order. The last binding of a name wins.

    `kind` is "function" or "class" (`target` is its name in this module), "import"
    (`module` + `target`: ``from module import target as name``), "star"
    (``from module import *``, `name` is "*"), "alias" (``name = target``) or "other".
    `level` counts the dots of a relative import.
    """

    name: str
    kind: str
    line: int
    module: str = ""
    target: str = ""
    level: int = 0


@dataclass(frozen=True, slots=True)
class DynamicFixture(_Pickled):
    """A place where fixtures are made at run time (``globals()[n] = pytest.fixture(...)``)."""

    line: int
    detail: str
    registered: str = ""
    """The fixture pytest registers here, when the model registers it too
    (``dburl = pytest.fixture(params=...)(_dburl)``); empty when its name is unknown."""


@dataclass(frozen=True, slots=True)
class ModuleSummary(_Pickled):
    """Everything pytest's collection and fixture machinery would read from one file."""

    path: str
    functions: tuple[Function, ...] = ()
    classes: tuple[Class, ...] = ()
    bindings: tuple[Binding, ...] = ()
    marks: tuple[Mark, ...] = ()
    parametrize: tuple[Parametrize, ...] = ()
    pytest_plugins: tuple[str, ...] = ()
    dynamic_pytest_plugins: bool = False
    collect_ignore: tuple[str, ...] = ()
    collect_ignore_glob: tuple[str, ...] = ()
    test_attr: bool | None = None
    dynamic_fixtures: tuple[DynamicFixture, ...] = ()
    all_names: tuple[str, ...] | None = None
    lines: int = 0
    sequences: tuple[tuple[str, int], ...] = ()
    """Module-level names bound to a list or tuple display, with its length."""
    patchers: tuple[tuple[str, int], ...] = ()
    """Module-level names bound to a `mock.patch(...)` call, with the number of mock
    arguments it passes to the functions it decorates."""

    def defs(self) -> Iterator[tuple[Function, tuple[Class, ...]]]:
        """Every def: module-level ones, then those of classes at any depth, each with
        the classes it is nested in (outermost first)."""
        for function in self.functions:
            yield function, ()
        stack: list[tuple[Class, tuple[Class, ...]]] = [
            (klass, (klass,)) for klass in reversed(self.classes)
        ]
        while stack:
            klass, owners = stack.pop()
            for function in klass.functions:
                yield function, owners
            stack.extend((inner, (*owners, inner)) for inner in reversed(klass.classes))


@dataclass(frozen=True, slots=True)
class ParseFailure(_Pickled):
    """A file that could not be read or parsed; `line`/`col` point at the problem."""

    path: str
    reason: str
    message: str
    line: int = 1
    col: int = 0
    details: tuple[str, ...] = field(default=())
