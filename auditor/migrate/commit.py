"""`migrate apply --commit`: the change as two commits, the moves first (only renames,
so git shows each at 100% similarity and history follows), then the edits (rewritten
imports, markers, hoisted fixtures, new files).

Only inside a git work tree, and only when nothing else is staged (it would go into the
first commit): both refused before anything is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from auditor.migrate import git
from auditor.migrate.edits import Changes
from auditor.migrate.plan_file import PlanError

MOVES_MESSAGE = "test-auditor migrate: move {count} test modules to their tier folders"
EDITS_MESSAGE = (
    "test-auditor migrate: rewrite imports and paths, mark tiers, register markers, "
    "hoist fixtures ({count} files)"
)


class CommitRefused(PlanError):
    """``--commit`` cannot be honoured (exit code 2); nothing was written."""


def check_committable(rootdir: Path) -> None:
    """Refuse outside a git work tree, or when the index holds staged changes."""
    if git.work_tree(rootdir) is None:
        raise CommitRefused(f"--commit needs a git work tree; {rootdir} is not in one")
    try:
        already = git.staged(rootdir)
    except git.GitError as exc:
        raise CommitRefused(f"--commit: {exc}") from exc
    if already:
        shown = ", ".join(already[:5]) + (" ..." if len(already) > 5 else "")
        raise CommitRefused(
            f"--commit: the index has staged changes the migration did not make ({shown}); "
            "commit or unstage them first"
        )


def commit_change(
    rootdir: Path, changes: Changes, moved: set[str], removed: Sequence[str] = ()
) -> list[str]:
    """Commit the staged moves (``git mv`` of the ``moved`` tracked paths), then the
    edits (and the ``removed`` files of emptied folders); notes saying what was
    committed. :class:`git.GitError` when git refuses."""
    notes = []
    if moved:
        git.commit(rootdir, MOVES_MESSAGE.format(count=len(moved)))
        notes.append(f"committed {len(moved)} moves (renames only)")
    known = {changes.renames.get(path, path) for path in moved}
    known |= git.tracked(rootdir, sorted(changes.writes))
    edited = sorted(p for p in changes.writes if p in changes.created or p in known)
    edited += sorted(git.tracked(rootdir, list(removed)))
    if edited:
        git.add(rootdir, edited)
        if git.staged(rootdir):
            git.commit(rootdir, EDITS_MESSAGE.format(count=len(edited)))
            notes.append(f"committed the edits of {len(edited)} files")
    return notes
