"""Small helpers shared by the isolation rules."""

from __future__ import annotations

from collections.abc import Mapping

from auditor.api import FileView, FunctionView, SuiteView

from ._state import StateAnalysis
from ._writes import StateClassifier, Write


class AnalysisCache:
    """One `StateAnalysis` per suite view (a rule instance lives for one run, but the
    engine may hand it several views in tests)."""

    def __init__(
        self,
        classify: StateClassifier,
        *,
        strict: bool = False,
        builtin_guards: Mapping[str, frozenset[str]] | None = None,
    ) -> None:
        self.classify = classify
        self.strict = strict
        self.builtin_guards = builtin_guards
        self._by_suite: dict[int, tuple[SuiteView, StateAnalysis]] = {}

    def __call__(self, suite: SuiteView) -> StateAnalysis:
        entry = self._by_suite.get(id(suite))
        if entry is None or entry[0] is not suite:
            analysis = StateAnalysis(
                suite, self.classify, strict=self.strict, builtin_guards=self.builtin_guards
            )
            entry = self._by_suite[id(suite)] = (suite, analysis)
        return entry[1]


def where(view: FunctionView) -> str:
    """How messages name a function: "test `x`", "fixture `x`", "setup `setUp`"."""
    kind = {"xunit": "setup", "helper": "function"}.get(view.kind, view.kind)
    return f"{kind} `{view.name}`"


def restore_hint(view: FunctionView) -> str:
    if view.kind == "fixture":
        return "restore it after `yield` (or in a finalizer)"
    if view.kind == "xunit":
        return "restore it in the matching teardown (or with `addCleanup`)"
    return "restore it in a `finally`"


def checked(file: FileView, *needles: str) -> bool:
    """Files whose code runs as part of the suite (test modules, conftests and plugin
    modules holding fixtures) and, when `needles` are given, whose text contains one of
    them (a cheap filter before walking the tree)."""
    if needles and not any(needle in file.text for needle in needles):
        return False
    return file.is_test_module or file.is_conftest or bool(file.suite.fixtures_in(file.path))


def restored_on_success(
    view: FunctionView, write: Write, instead: str = "use `monkeypatch`"
) -> str:
    """The message for a change the test puts back only after its checks passed."""
    what = f"`{write.text}`" if write.text else "process-wide state"
    return (
        f"{where(view)} changes {what} and puts it back only at line {write.restored_at}, "
        "after checks that end the test when they fail: a failing run leaves the change "
        f"for every later test; restore it in a `finally`, or {instead}"
    )
