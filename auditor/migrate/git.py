"""The few git commands a migration needs: the base commit, whether a file is tracked,
``git mv``, and where the index is (saved and put back byte for byte on a rollback).

git runs through :mod:`auditor.dynamic.runner.processes`, the one place test-auditor
starts other programs.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from auditor.dynamic.runner import processes


class GitError(RuntimeError):
    """A git command that should have worked did not."""


def _git(rootdir: Path, *arguments: str) -> tuple[int, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    environment["GIT_TERMINAL_PROMPT"] = "0"
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as output:
        try:
            process = processes.start(
                ["git", "-C", str(rootdir), *arguments],
                cwd=rootdir,
                env=environment,
                output=output,
                label=f"git {arguments[0]}",
            )
        except OSError:  # no git on this machine
            return 127, ""
        try:
            code = process.wait()
        finally:
            processes.end_group(process)
        output.seek(0)
        return code, output.read()


def work_tree(rootdir: Path) -> Path | None:
    """The top of the git work tree holding ``rootdir``, or None."""
    code, text = _git(rootdir, "rev-parse", "--show-toplevel")
    return Path(text.strip()) if code == 0 and text.strip() else None


def head(rootdir: Path) -> str | None:
    code, text = _git(rootdir, "rev-parse", "--verify", "-q", "HEAD")
    return text.strip() if code == 0 and text.strip() else None


def tracked(rootdir: Path, paths: Sequence[str]) -> set[str]:
    """Which of ``paths`` (relative to ``rootdir``) git tracks."""
    if not paths:
        return set()
    code, text = _git(rootdir, "ls-files", "-z", "--", *paths)
    if code != 0:
        return set()
    top = work_tree(rootdir)
    if top is None:
        return set()
    names = {name for name in text.split("\0") if name}
    prefix = os.path.relpath(rootdir.resolve(), top.resolve())
    prefix = "" if prefix == "." else prefix.replace(os.sep, "/") + "/"
    return {p for p in paths if prefix + p in names or p in names}


def index_file(rootdir: Path) -> Path | None:
    code, text = _git(rootdir, "rev-parse", "--git-path", "index")
    if code != 0 or not text.strip():
        return None
    path = Path(text.strip())
    return path if path.is_absolute() else rootdir / path


def move(rootdir: Path, source: str, target: str) -> None:
    code, text = _git(rootdir, "mv", "--", source, target)
    if code != 0:
        raise GitError(f"git mv {source} {target} failed: {text.strip()}")


def staged(rootdir: Path) -> list[str]:
    """The paths (relative to the work tree's top) with staged changes."""
    code, text = _git(rootdir, "diff", "--cached", "--name-only", "-z")
    if code != 0:
        raise GitError(f"git diff --cached failed: {text.strip()}")
    return [name for name in text.split("\0") if name]


def add(rootdir: Path, paths: Sequence[str]) -> None:
    if not paths:
        return
    code, text = _git(rootdir, "add", "--", *paths)
    if code != 0:
        raise GitError(f"git add failed: {text.strip()}")


def commit(rootdir: Path, message: str) -> str:
    """Commit the index; the new commit's id."""
    code, text = _git(rootdir, "commit", "-q", "-m", message)
    if code != 0:
        raise GitError(f"git commit failed: {text.strip()}")
    return head(rootdir) or ""


def listed(rootdir: Path) -> list[str]:
    """The tracked files under ``rootdir`` (relative to it)."""
    code, text = _git(rootdir, "ls-files", "-z", "--full-name", ".")
    top = work_tree(rootdir)
    if code != 0 or top is None:
        return []
    prefix = os.path.relpath(rootdir.resolve(), top.resolve())
    prefix = "" if prefix == "." else prefix.replace(os.sep, "/") + "/"
    return [n[len(prefix) :] for n in text.split("\0") if n and n.startswith(prefix)]
