"""Prefetch: the files named on the command line parsed in a forked child."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from auditor.parse import ModuleSummary
from auditor.parse.run import Prefetch, parse_files

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


def test_parse_files_takes_the_childs_summaries(tmp_path: Path) -> None:
    (tmp_path / "test_a.py").write_text("def test_a():\n    assert True\n")
    prefetch = Prefetch(tmp_path, ["test_a.py"])
    taken = prefetch.take("test_a.py")
    assert taken is not None
    summary, digest = taken
    assert isinstance(summary, ModuleSummary)
    assert [f.name for f in summary.functions] == ["test_a"]
    assert digest
    parsed = parse_files(tmp_path, ["test_a.py"], prefetch=prefetch)
    assert parsed["test_a.py"] is summary
    prefetch.close()


def test_a_file_changed_after_the_fork_is_parsed_again(tmp_path: Path) -> None:
    path = tmp_path / "test_a.py"
    path.write_text("def test_a():\n    assert True\n")
    prefetch = Prefetch(tmp_path, ["test_a.py"])
    prefetch.take("test_a.py")
    path.write_text("def test_b():\n    assert True\n")
    parsed = parse_files(tmp_path, ["test_a.py"], prefetch=prefetch)
    summary = parsed["test_a.py"]
    assert isinstance(summary, ModuleSummary)
    assert [f.name for f in summary.functions] == ["test_b"]


def test_an_unneeded_child_is_stopped(tmp_path: Path) -> None:
    (tmp_path / "test_a.py").write_text("def test_a():\n    assert True\n")
    prefetch = Prefetch(tmp_path, ["test_a.py"])
    pid = prefetch.pid
    prefetch.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, 0)
    assert prefetch.take("test_a.py") is None


def test_the_command_line_forks_before_the_analysis_modules_load() -> None:
    """`check` starts its prefetch child right after reading the configuration; the rules,
    the model and libcst must not be imported by then, or the child waits for them."""
    import subprocess
    import sys

    code = (
        "import sys, auditor.cli; "
        "print(sorted(m for m in ('auditor.api', 'auditor.lint.engine', 'auditor.model.suite', "
        "'auditor.lint.registry', 'libcst') if m in sys.modules))"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert shown.strip() == "[]"
