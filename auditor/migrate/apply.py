"""`migrate apply`: write a plan's change all or none, verify it through pytest, and put
every byte back (files, folders, git's index) when a check fails.

Every path the change touches is read first (bytes and mode, or its absence), and git's
index file is saved; moves are ``git mv`` for tracked files inside a git work tree (so
history follows), plain renames otherwise; each write goes to a temporary file beside its
target and replaces it. Undoing reverses the renames, removes what was created, writes the
saved bytes back where they differ and restores the index file, then checks every byte.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from auditor.migrate import exposed, git, verify
from auditor.migrate.commit import check_committable, commit_change
from auditor.migrate.edits import Changes, EditError, build_changes
from auditor.migrate.emptied import remove_emptied
from auditor.migrate.plan_file import Plan, StalePlan, check_fresh


@dataclass
class Outcome:
    applied: bool
    differences: list[str] = field(default_factory=list)
    """What verification found (the change was rolled back)."""
    not_restored: list[str] = field(default_factory=list)
    """Paths the rollback could not put back exactly (should never happen)."""
    notes: list[str] = field(default_factory=list)
    exposed: list[str] = field(default_factory=list)
    """Tests whose outcome changed with the new order only (not a reason to roll back)."""
    commit_failed: str = ""
    """``--commit``: why git did not commit (the change is in place, verified)."""


@dataclass
class _Saved:
    data: bytes | None
    mode: int | None


def _atomic_write(path: Path, data: bytes, mode: int | None) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".ta")
    try:
        with os.fdopen(handle, "wb") as output:
            output.write(data)
        if mode is not None:
            os.chmod(temporary, stat.S_IMODE(mode))
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


class Journal:
    """The change written step by step, each step recorded so it can be undone."""

    def __init__(self, rootdir: Path, changes: Changes, *, use_git: bool) -> None:
        self.rootdir = rootdir
        self.changes = changes
        self.saved: dict[str, _Saved] = {}
        for path in changes.touched():
            file = rootdir / path
            if file.is_file():
                self.saved[path] = _Saved(file.read_bytes(), file.stat().st_mode)
            else:
                self.saved[path] = _Saved(None, None)
        self.new_folders: list[Path] = []
        self.renamed: list[tuple[str, str]] = []
        self.index: Path | None = None
        self.index_bytes: bytes | None = None
        self.tracked: set[str] = set()
        if use_git and changes.renames:
            self.tracked = git.tracked(rootdir, sorted(changes.renames))
            if self.tracked:
                self.index = git.index_file(rootdir)
                if self.index is not None and self.index.is_file():
                    self.index_bytes = self.index.read_bytes()

    def _folders_for(self, path: str) -> None:
        missing: list[Path] = []
        folder = (self.rootdir / path).parent
        while not folder.exists():
            missing.append(folder)
            folder = folder.parent
        for new in reversed(missing):
            new.mkdir()
            self.new_folders.append(new)

    def write(self) -> None:
        for old, new in self.changes.renames.items():
            self._folders_for(new)
            if old in self.tracked:
                git.move(self.rootdir, old, new)
            else:
                os.replace(self.rootdir / old, self.rootdir / new)
            self.renamed.append((old, new))
        for path, data in self.changes.writes.items():
            self._folders_for(path)
            source = {n: o for o, n in self.changes.renames.items()}.get(path, path)
            mode = self.saved[source].mode
            _atomic_write(self.rootdir / path, data, mode if mode is not None else 0o644)

    def rollback(self) -> list[str]:
        """Undo every step; the paths that are still not as they were (none, normally)."""
        for old, new in reversed(self.renamed):
            if (self.rootdir / new).exists():
                os.replace(self.rootdir / new, self.rootdir / old)
        for path, saved in self.saved.items():
            file = self.rootdir / path
            if saved.data is None:
                if file.is_file() or file.is_symlink():
                    file.unlink()
            elif not file.is_file() or file.read_bytes() != saved.data:
                _atomic_write(file, saved.data, saved.mode)
            elif saved.mode is not None and file.stat().st_mode != saved.mode:
                os.chmod(file, stat.S_IMODE(saved.mode))
        for folder in reversed(self.new_folders):
            shutil.rmtree(folder / "__pycache__", ignore_errors=True)
            with contextlib.suppress(OSError):
                folder.rmdir()
        if self.index is not None:
            if self.index_bytes is None:
                self.index.unlink(missing_ok=True)
            else:
                _atomic_write(self.index, self.index_bytes, None)
        return self.not_restored()

    def not_restored(self) -> list[str]:
        wrong = []
        for path, saved in self.saved.items():
            file = self.rootdir / path
            if saved.data is None:
                if file.exists():
                    wrong.append(f"{path} is still there")
            elif not file.is_file() or file.read_bytes() != saved.data:
                wrong.append(f"{path} differs from before")
        for folder in self.new_folders:
            if folder.exists():
                wrong.append(f"{PurePosixPath(folder.relative_to(self.rootdir))}/ is still there")
        index, saved_index = self.index, self.index_bytes
        if (
            index is not None
            and saved_index is not None
            and (not index.is_file() or index.read_bytes() != saved_index)
        ):
            wrong.append("git's index differs from before")
        return wrong


def apply_plan(
    plan: Plan,
    *,
    python: str | None = None,
    run: bool = False,
    timeout: float | None = None,
    say: Callable[[str], None] | None = None,
    check: Callable[[Plan, verify.Snapshot, verify.Snapshot], list[str]] | None = None,
    commit: bool = False,
) -> Outcome:
    """Apply ``plan`` and verify it (``commit``: then commit the moves and the edits);
    :class:`StalePlan` when the tree is not the plan's, :class:`CommitRefused` when it
    cannot be committed, :class:`verify.VerifyError` when pytest cannot collect the suite
    as it is."""
    tell = say or (lambda _text: None)
    compare = check or verify.differences
    check_fresh(plan)
    if commit:
        check_committable(plan.rootdir)
    try:
        changes = build_changes(plan.rootdir, plan)
    except (EditError, OSError) as exc:
        raise StalePlan(f"the plan's edits cannot be made: {exc}") from exc
    if not changes:
        return Outcome(applied=False, notes=["nothing to apply"])
    runner = verify.Runner(plan.rootdir, python=python, timeout=timeout)
    tell("collecting the suite as it is")
    old = verify.before(runner, plan, run=run)
    in_git = git.work_tree(plan.rootdir) is not None
    journal = Journal(plan.rootdir, changes, use_git=in_git)
    tell("writing the change")
    rolled_back: list[str] | None = None
    found_exposed: list[exposed.Exposed] = []
    try:
        journal.write()
        tell("verifying the change through pytest")
        try:
            new = verify.after(runner, plan, old, run=run)
            found = compare(plan, old, new)
            if found and run and not verify.structural_differences(plan, old, new):
                journal, rolled_back, found_exposed = _order_checked(
                    runner, plan, (old, new), journal, tell
                )
                found = compare(plan, old, new)
        except verify.VerifyError as exc:
            found = [f"pytest failed after the change: {exc}"]
    except BaseException:
        if rolled_back is None:
            journal.rollback()
        raise
    notes = (
        [] if old.strict else ["--strict-markers not checked: the suite uses unregistered marks"]
    )
    described = [e.describe() for e in found_exposed]
    if found or rolled_back is not None:
        if rolled_back is None:
            tell("verification failed: putting every file back")
            rolled_back = journal.rollback()
        if not found:  # the change could not be written again as verified
            found = ["the change could not be written again after the runs alone"]
        return Outcome(False, found, rolled_back, notes, described)
    emptied, removed = remove_emptied(plan.rootdir, journal)
    notes += emptied
    if commit:
        try:
            notes += commit_change(plan.rootdir, changes, journal.tracked, removed)
        except git.GitError as exc:
            return Outcome(True, notes=notes, exposed=described, commit_failed=str(exc))
    elif journal.tracked:
        notes.append(f"{len(journal.tracked)} moves staged with git mv; edits are not staged")
    return Outcome(True, notes=notes, exposed=described)


def _order_checked(
    runner: verify.Runner,
    plan: Plan,
    sides: tuple[verify.Snapshot, verify.Snapshot],
    journal: Journal,
    tell: Callable[[str], None],
) -> tuple[Journal, list[str] | None, list[exposed.Exposed]]:
    """Run the tests whose outcome changed alone on both sides of the change (undone and
    written again for it); mark the order-dependent ones in the snapshot after. Returns
    the journal of the tree as it is, the paths not restored when the change is left
    undone (None: the change is in place) and the tests the new order exposed."""
    old, new = sides
    current = journal
    restored: list[str] = []

    def undo() -> bool:
        restored.extend(current.rollback())
        return not restored

    def redo() -> bool:
        nonlocal current
        current = Journal(plan.rootdir, journal.changes, use_git=bool(journal.tracked))
        current.write()
        ids, errors = runner.collect(label="collection after, again")
        return ids == new.ids and errors == new.errors

    changes = verify.outcome_changes(plan, old, new)
    check = exposed.check_alone(runner, changes, new.order, undo=undo, redo=redo, say=tell)
    new.order_dependent = {e.change.new for e in check.exposed}
    if not check.rolled_back:
        return current, None, check.exposed
    if current is not journal:  # written again, then found different: undo that too
        restored.extend(current.rollback())
    return current, restored, check.exposed
