"""Fixtures for the end-to-end tests: run the command line in-process."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.cli import main
from tests.e2e.helpers import Result, RunCli


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> RunCli:
    """`run_cli(*args, cwd=DIR)`: `auditor.cli.main(args)` from DIR, output captured."""

    def run(*args: str, cwd: Path) -> Result:
        monkeypatch.chdir(cwd)
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run
