"""The rules' per-file pass shared among forked workers gives what one process gives."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.api import FileView, Rule
from auditor.lint import file_pass
from auditor.lint.registry import all_rules
from auditor.pipeline import analyse_path
from auditor.types import Finding

SAMPLES = Path(__file__).parents[1] / "samples"


class CrashesOnConftests(Rule):
    """Fails on every conftest, finds each `assert` elsewhere (for this test only)."""

    code = "TA999"
    name = "crashes-on-conftests"
    category = "structure"

    def check_file(self, file: FileView) -> Iterator[Finding]:
        if file.name == "conftest.py":
            raise ValueError("broken on purpose")
        for node in file.of_type(ast.Assert):
            yield self.at(file, node, "an assert")


@pytest.mark.parametrize("name", ["migrate_seed004", "traps"])
def test_workers_find_what_one_process_finds(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    rules = [*all_rules(), CrashesOnConftests]
    alone = analyse_path(SAMPLES / name).lint(rules)
    monkeypatch.setattr(file_pass, "PARALLEL_FILES", 2)
    calls: list[int] = []
    forked = file_pass._in_workers

    def counted(*args: object, **kwargs: object) -> object:
        result = forked(*args, **kwargs)  # type: ignore[arg-type]
        calls.append(0 if result is None else len(result))
        return result

    monkeypatch.setattr(file_pass, "_in_workers", counted)
    analysis = analyse_path(SAMPLES / name)
    analysis.jobs = 2
    shared = analysis.lint(rules)
    assert calls, "the pass went to the workers"
    assert calls[0] > 0
    assert shared.findings == alone.findings
    assert shared.evaluated == alone.evaluated > 0
    crashes = sorted((e.rule, e.path, e.message) for e in shared.errors)
    assert crashes == sorted((e.rule, e.path, e.message) for e in alone.errors)
    assert any(e.rule == "TA999" and "broken on purpose" in e.message for e in shared.errors)
    assert any(f.rule == "TA999" for f in shared.findings)


def test_few_files_stay_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("no workers for a small suite")

    monkeypatch.setattr(file_pass, "_in_workers", refuse)
    analysis = analyse_path(SAMPLES / "shop")
    analysis.jobs = 2
    assert analysis.lint(all_rules()).evaluated > 0
