"""Shared helpers for the end-to-end tests: suites on disk, CLI runs, the JSON schema."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

REPO_ROOT = Path(__file__).parents[2]
SAMPLES = REPO_ROOT / "tests" / "samples"
SUBPROCESS_TIMEOUT = 60


@dataclass(frozen=True, slots=True)
class Result:
    """What one run of the command line gave back."""

    code: int
    out: str
    err: str

    def json(self) -> dict[str, Any]:
        data = json.loads(self.out)
        assert isinstance(data, dict)
        return data


RunCli = Callable[..., Result]
"""The `run_cli` fixture: `run_cli(*args, cwd=DIR)` runs `auditor.cli.main(args)` in DIR."""


def write_suite(root: Path, contents: Mapping[str, str | bytes]) -> Path:
    """Write `contents` (relative path -> text or bytes) under `root`; return `root`."""
    for relpath, content in contents.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def run_process(
    *args: str | os.PathLike[str],
    cwd: Path,
    env: Mapping[str, str] | None = None,
    timeout: float = SUBPROCESS_TIMEOUT,
) -> Result:
    """`python -m auditor ARGS` in a real process, for exit status and stderr; `env`
    adds variables."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env = {**base, **(env or {})}
    completed = subprocess.run(
        [sys.executable, "-m", "auditor", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )
    return Result(completed.returncode, completed.stdout, completed.stderr)


@cache
def shipped_schema(name: str = "report") -> dict[str, Any]:
    """A JSON Schema shipped inside the package: ``report`` (scan) or ``leaks``."""
    resource = files("auditor") / "schemas" / f"{name}.schema.json"
    schema = json.loads(resource.read_text(encoding="utf-8"))
    assert isinstance(schema, dict)
    return schema


def report_schema() -> dict[str, Any]:
    return shipped_schema("report")


def schema_errors(report: object, name: str = "report") -> list[str]:
    """Every way `report` breaks the shipped schema ``name``, as readable lines."""
    validator = Draft202012Validator(shipped_schema(name))
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}"
        for error in validator.iter_errors(report)
    ]


def leaks_schema_errors(report: object) -> list[str]:
    """Every way a `leaks --format json` report breaks the shipped schema."""
    return schema_errors(report, "leaks")


def rules_at(report: Mapping[str, Any]) -> list[tuple[str, str, int]]:
    """(rule, path, line) of every finding, sorted."""
    return sorted((f["rule"], f["path"], f["line"]) for f in report["findings"])


def nodeids(report: Mapping[str, Any]) -> list[str]:
    return sorted(t["nodeid"] for t in report["tests"])


SARIF_PACKAGE = "@microsoft/sarif-multitool-linux@5.7.0"
"""The npm package that carries the official SARIF 2.1.0 JSON schema (sarif-2.1.0.json)."""


def sarif_schema() -> dict[str, Any] | None:
    """The SARIF 2.1.0 schema, fetched once from the npm registry into the user cache;
    None when npm is not installed."""
    cache = Path(os.environ.get("XDG_CACHE_HOME", "~/.cache")).expanduser() / "test-auditor-tests"
    schema = cache / "sarif-2.1.0.json"
    if not schema.is_file():
        import shutil
        import tarfile
        import tempfile

        npm = shutil.which("npm")
        if npm is None:
            return None
        with tempfile.TemporaryDirectory() as folder:
            subprocess.run(
                [npm, "pack", SARIF_PACKAGE, "--silent"],
                cwd=folder,
                check=True,
                capture_output=True,
                timeout=600,
            )
            (archive,) = Path(folder).glob("*.tgz")
            with tarfile.open(archive) as tar:
                member = tar.extractfile("package/sarif-2.1.0.json")
                assert member is not None
                cache.mkdir(parents=True, exist_ok=True)
                schema.write_bytes(member.read())
    data = json.loads(schema.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def interruptible_auditor() -> list[str]:
    """``python -m auditor`` with Ctrl-C turned into KeyboardInterrupt, as in a terminal. A
    shell's background job (a CI script started with ``&``) inherits SIGINT ignored, and
    Python then never raises KeyboardInterrupt: a test that presses Ctrl-C must not depend
    on how the test run was started."""
    import sys

    start = (
        "import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "runpy.run_module('auditor', run_name='__main__', alter_sys=True)"
    )
    return [sys.executable, "-c", start]


def git(root: Path, *args: str) -> str:
    """Run git in ``root`` with a throwaway identity; its standard output."""
    command = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args]
    return subprocess.run(command, cwd=root, capture_output=True, text=True, check=True).stdout


def commit_suite(root: Path) -> None:
    """Make ``root`` a git work tree whose one commit holds the suite as written (the
    migration plan and the cache ignored), as ``migrate apply`` wants it."""
    (root / ".gitignore").write_text("test-auditor-migration.toml\n.test-auditor-cache/\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "the suite")
