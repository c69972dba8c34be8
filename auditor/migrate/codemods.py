"""`codemod`: the fixes of `check` that a codemod makes (TA301: ``os.environ`` writes ->
``monkeypatch.setenv``; TA211: ``yield`` instead of ``return`` so a fixture's teardown
runs) as operations of the plan, each on one function. A safe fix is applied by default;
an unsafe one is shown with ``apply = false``. TA103's fix is the ``notest`` operation.

The proof (:mod:`auditor.migrate.proof`) accepts what such a fix does to the fixtures a
test gets (pytest's own ``monkeypatch``, no other change) and holds back a codemod that
changes anything else.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import libcst as cst
from libcst.codemod import Codemod, CodemodContext, SkipFile

from auditor.migrate.lint_rules import findings_of
from auditor.migrate.plan_file import Operation
from auditor.pipeline import Analysis
from auditor.types import Applicability

RULES = ("TA301", "TA211")


class CodemodError(ValueError):
    """The codemod cannot make its change; the message says why."""


def codemod_operations(analysis: Analysis, wanted: Callable[[str], bool]) -> list[Operation]:
    """A ``codemod`` per fix (codemod and options) of ``RULES`` in the files ``wanted``
    accepts."""
    findings = sorted(findings_of(analysis, RULES), key=lambda f: (f.path, f.line, f.col))
    found: dict[tuple[str, str, tuple[tuple[str, str | int], ...]], Operation] = {}
    for finding in findings:
        fix = finding.fix
        path = (fix.path if fix is not None else "") or finding.path
        if fix is None or not fix.applies or not wanted(path):
            continue
        key = (path, fix.codemod, fix.options)
        if key in found:
            continue
        op = Operation(
            id=f"codemod-{len(found) + 1:03d}",
            kind="codemod",
            path=path,
            name=fix.codemod,
            options=tuple((k, str(v)) for k, v in fix.options),
            evidence=(f"{finding.rule}: {fix.title} (line {finding.line}): {finding.message}",),
        )
        if fix.applicability is not Applicability.SAFE:
            op = op.held(f"an unsafe fix ({fix.title}): shown, not applied by default")
        found[key] = op
    return list(found.values())


def _codemod_class(reference: str) -> type[Codemod]:
    module_name, _, attribute = reference.partition(":")
    if not module_name.startswith("auditor.lint.codemods."):
        raise CodemodError(f"{reference} is not one of test-auditor's codemods")
    loaded = getattr(importlib.import_module(module_name), attribute)
    if not (isinstance(loaded, type) and issubclass(loaded, Codemod)):
        raise CodemodError(f"{reference} is not a codemod")
    return loaded


def run_codemod(source: bytes, op: Operation) -> bytes:
    """``source`` with ``op``'s codemod made; :class:`CodemodError` when it cannot be, or
    changes nothing."""
    codemod_class = _codemod_class(op.name)
    options = {k: int(v) if v.isdigit() else v for k, v in op.options}
    try:
        module = cst.parse_module(source)
        changed = codemod_class(CodemodContext(filename=op.path), **options).transform_module(
            module
        )
    except cst.ParserSyntaxError as exc:
        raise CodemodError(f"cannot parse the module: {exc.message}") from exc
    except SkipFile as exc:
        raise CodemodError(f"the codemod skips the file: {exc}") from exc
    except (TypeError, ValueError) as exc:
        raise CodemodError(f"the codemod failed: {exc}") from exc
    data = changed.bytes
    if data == source:
        raise CodemodError("the codemod changes nothing")
    try:
        compile(data, op.path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        raise CodemodError(f"the changed module does not compile: {exc}") from exc
    return data
