"""What the suite's own `addopts` deselect: `-m EXPR`, `-k EXPR` and `--deselect PREFIX`.

pytest applies them after collection (``_pytest/main.py`` for ``--deselect``,
``_pytest/mark/__init__.py`` ``deselect_by_keyword`` and ``deselect_by_mark`` for ``-k``
and ``-m``); the tests they drop are *deselected*: known, not run. The same semantics here:

* ``--deselect``: a test goes when its node id starts with one of the prefixes (a prefix
  naming one parametrized case leaves the other cases, so the folded test stays);
* ``-m``: an identifier is true when the test carries a mark of exactly that name, from
  the function, its class and bases, the module's ``pytestmark``, plugins (anyio's
  ``usefixtures``) or ``parametrize`` (``MarkMatcher``: ``item.iter_markers()``); keyword
  arguments (``-m "slow(db='x')"``) compare with the mark's literal keyword arguments;
* ``-k``: an identifier is true when it is a case-insensitive substring of one of the
  test's names (``KeywordMatcher.from_item``): the function's name with its parametrize
  id, each class's name, the module's name, the folders above it (pytest 8: every folder
  below the rootdir; 7.x: the package of the module's folder, or the module's path from
  the rootdir when it is not in a package), the names of its marks, and ``pytestmark`` when
  the function itself carries marks (the function's ``__dict__``; before pytest 9.2,
  which leaves that attribute out).

A parametrized test is matched case by case with the ids its literal `parametrize`
decorators spell (`auditor.model.param_ids`); it is deselected when every case is. When
its ids cannot be spelled, an identifier that none of its other names contains is
*unknown* (it may be part of an id), and the test is deselected only when the expression
is false whatever the unknowns are (`auditor.model.expression`). Ids that parametrized
fixtures add are not modelled.
An expression pytest would refuse is not applied; `Selection.problems` says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from auditor.model.expression import Expression, ExpressionError, Matcher, parse
from auditor.model.param_ids import case_ids
from auditor.model.suite import TestItem

_FLAGS = ("-m", "-k", "--deselect")


@dataclass(frozen=True, slots=True)
class Selection:
    """The deselecting options of `addopts`, parsed."""

    markexpr: Expression | None = None
    keywordexpr: Expression | None = None
    deselect: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return bool(self.markexpr or self.keywordexpr or self.deselect)

    def describe(self) -> str:
        """The options as written: ``-m 'not property'``."""
        parts: list[str] = []
        if self.markexpr is not None:
            parts.append(f"-m {_quoted(self.markexpr.text)}")
        if self.keywordexpr is not None:
            parts.append(f"-k {_quoted(self.keywordexpr.text)}")
        parts.extend(f"--deselect {_quoted(p)}" for p in self.deselect)
        return " ".join(parts)


def _quoted(text: str) -> str:
    return f"'{text}'" if any(c.isspace() for c in text) or not text else text


def option_values(args: Sequence[str], flag: str) -> list[str]:
    """Every value given to `flag` in an argument list, as argparse reads them:
    ``-m EXPR``, ``-mEXPR``, ``-m=EXPR``, ``--deselect=X``."""
    values: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            break
        if arg == flag and index + 1 < len(args):
            values.append(args[index + 1])
            index += 2
            continue
        if flag.startswith("--") and arg.startswith(f"{flag}="):
            values.append(arg[len(flag) + 1 :])
        elif not flag.startswith("--") and arg.startswith(flag) and not arg.startswith("--"):
            values.append(arg[len(flag) :].removeprefix("="))
        index += 1
    return values


def selection_from_addopts(addopts: Sequence[str]) -> Selection:
    """The `-m`, `-k` (the last of each wins, as argparse stores them) and `--deselect`
    options of `addopts`."""
    problems: list[str] = []
    expressions: dict[str, Expression | None] = {}
    for flag in ("-m", "-k"):
        values = option_values(addopts, flag)
        text = values[-1] if values else ""
        expressions[flag] = None
        if not text.strip():
            continue
        try:
            expression = parse(text)
        except ExpressionError as exc:
            problems.append(f"addopts {flag} {text!r} is not an expression pytest reads ({exc})")
            continue
        if flag == "-k" and any(i.kwargs for i in expression.identifiers()):
            problems.append(f"addopts -k {text!r}: keyword expressions take no arguments")
            continue
        expressions[flag] = expression
    return Selection(
        markexpr=expressions["-m"],
        keywordexpr=expressions["-k"],
        deselect=tuple(option_values(addopts, "--deselect")),
        problems=tuple(problems),
    )


def mark_names(test: TestItem) -> frozenset[str]:
    """The names of every mark pytest's ``item.iter_markers()`` yields for the test."""
    names = set(test.marks)
    if test.parametrized:
        names.add("parametrize")
    return frozenset(names)


def keyword_names(
    test: TestItem, pytest_version: tuple[int, int], packages: frozenset[str]
) -> list[str]:
    """The names ``KeywordMatcher.from_item`` collects for the test, parametrize ids aside."""
    path, *classes = test.nodeid.split("::")[:-1] or [test.path]
    module = PurePosixPath(path)
    folder = str(module.parent) if str(module.parent) != "." else ""
    names = [test.name, *classes]
    if pytest_version >= (8, 0):
        names += [module.name, *(p for p in module.parent.parts if p != ".")]
    elif folder in packages:
        names += [module.name, module.parent.name]
    else:
        names.append(path)
    names += mark_names(test)
    if test.own_marks and pytest_version < (9, 2):
        names.append("pytestmark")  # pytest 9.2 ignores it (IGNORED_FUNCTION_ATTRIBUTES)
    return names


def _mark_matcher(test: TestItem) -> Matcher:
    names = mark_names(test)

    def match(name: str, wanted: tuple[tuple[str, object], ...]) -> bool | None:
        if name not in names:
            return False
        # the model keeps marks by name: whether their keyword arguments equal the
        # wanted ones is unknown
        return None if wanted else True

    return match


def _keyword_matcher(names: Sequence[str], parametrized: bool) -> Matcher:
    lowered = [n.lower() for n in names]

    def match(name: str, _: tuple[tuple[str, object], ...]) -> bool | None:
        sub = name.lower()
        if any(sub in n for n in lowered):
            return True
        return None if parametrized else False

    return match


def deselected_by(
    test: TestItem,
    selection: Selection,
    *,
    pytest_version: tuple[int, int],
    packages: frozenset[str],
    rootdir: Path | None = None,
) -> str | None:
    """The option that deselects `test` (as written), or None when pytest keeps it
    (or may keep some of its parametrized cases)."""
    if any(test.nodeid.startswith(prefix) for prefix in selection.deselect if prefix):
        prefix = next(p for p in selection.deselect if p and test.nodeid.startswith(p))
        return f"--deselect {prefix}"
    if selection.keywordexpr is not None:
        names = keyword_names(test, pytest_version, packages)
        expression = selection.keywordexpr
        value = expression.evaluate(_keyword_matcher(names, test.parametrized))
        if value is None and rootdir is not None:
            ids = _case_ids(test, rootdir)
            if ids is not None:
                cases = ([f"{test.name}[{i}]", *names[1:]] for i in ids)
                if not any(expression.evaluate(_keyword_matcher(c, False)) for c in cases):
                    value = False
        if value is False:
            return f"-k {_quoted(expression.text)}"
    markexpr = selection.markexpr
    if markexpr is not None and markexpr.evaluate(_mark_matcher(test)) is False:
        return f"-m {_quoted(markexpr.text)}"
    return None


def _case_ids(test: TestItem, rootdir: Path) -> list[str] | None:
    source = rootdir / test.defined_in if test.defined_in else rootdir / test.path
    if not source.is_file():
        source = rootdir / test.path
    return case_ids(source, test.line, test.cases)


def apply_selection(
    tests: Sequence[TestItem],
    selection: Selection,
    *,
    pytest_version: tuple[int, int],
    packages: frozenset[str],
    rootdir: Path | None = None,
) -> tuple[TestItem, ...]:
    """The tests, those that `selection` deselects marked with the option that does."""
    if not selection.active:
        return tuple(tests)
    marked: list[TestItem] = []
    for test in tests:
        reason = deselected_by(
            test, selection, pytest_version=pytest_version, packages=packages, rootdir=rootdir
        )
        marked.append(test if reason is None else replace(test, deselected=reason))
    return tuple(marked)
