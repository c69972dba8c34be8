"""Applying the fixes carried by findings: plan every file's new text in memory, check
that it still compiles, then write all files or none.

A file is rewritten as the user has it: through a symlink to its target (the link stays a
link), with its mode and owner, its encoding and line endings (a lone-CR file keeps its
final ``\r``). A file that is not writable (read-only, or owned by someone whose
ownership cannot be kept) is not touched: its fixes are skipped with the reason."""

from __future__ import annotations

import ast
import difflib
import importlib
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from auditor.types import Applicability, Finding


@dataclass(frozen=True, slots=True)
class FileChange:
    path: str
    before: bytes
    after: bytes

    def reverted(self) -> FileChange:
        return FileChange(self.path, self.after, self.before)

    def diff(self) -> str:
        before = self.before.decode("utf-8", "replace").splitlines(keepends=True)
        after = self.after.decode("utf-8", "replace").splitlines(keepends=True)
        return "".join(difflib.unified_diff(before, after, f"a/{self.path}", f"b/{self.path}"))


@dataclass(frozen=True, slots=True)
class FixPlan:
    changes: tuple[FileChange, ...]
    applied: tuple[Finding, ...]
    skipped: tuple[tuple[Finding, str], ...]


UNCHANGED = "the fix changed nothing"
"""Why a fix is skipped whose codemod left the file as it was (reporting it as applied
would announce a fix while the finding stays)."""


def _wanted(finding: Finding, unsafe: bool) -> bool:
    fix = finding.fix
    if fix is None or not fix.applies:
        return False
    return fix.applicability is Applicability.SAFE or unsafe


def plan_fixes(rootdir: Path, findings: Iterable[Finding], *, unsafe: bool) -> FixPlan:
    """The new content of every file the applicable fixes touch; nothing is written.

    A fix is applied when its codemod changes the file, or when the same fix (codemod
    and options) was applied there already for another finding; a codemod that leaves
    the file as it was skips its fix (`UNCHANGED`), as does one that raises `SkipFile`
    or fails."""
    import libcst
    from libcst.codemod import CodemodContext, SkipFile

    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        if _wanted(finding, unsafe):
            assert finding.fix is not None
            by_path.setdefault(finding.fix.path or finding.path, []).append(finding)
    changes: list[FileChange] = []
    applied: list[Finding] = []
    skipped: list[tuple[Finding, str]] = []
    for path, items in sorted(by_path.items()):
        refusal = unwritable(rootdir / path)
        if refusal is not None:
            skipped.extend((f, f"{path} {refusal}; file left alone") for f in items)
            continue
        try:
            before = (rootdir / path).read_bytes()
            module = libcst.parse_module(before)
        except (OSError, libcst.ParserSyntaxError) as exc:
            skipped.extend((f, f"cannot parse {path}: {exc}") for f in items)
            continue
        done: list[Finding] = []
        made: set[tuple[str, tuple[tuple[str, str | int], ...]]] = set()
        for finding in items:
            assert finding.fix is not None
            key = (finding.fix.codemod, finding.fix.options)
            try:
                codemod_class = _load(finding.fix.codemod)
                context = CodemodContext(filename=str(rootdir / path))
                codemod = codemod_class(context, **dict(finding.fix.options))
                changed = codemod.transform_module(module)
            except SkipFile as skip:
                skipped.append((finding, f"skipped: {skip}"))
                continue
            except Exception as exc:  # a failing codemod skips its fix, never the run
                skipped.append((finding, f"codemod failed: {exc!r}"))
                continue
            if changed.code == module.code:
                # the same fix, applied already for another finding, fixed this one too
                # (TA301 gives every write of a test the one rewrite of that test)
                if key in made:
                    done.append(finding)
                else:
                    skipped.append((finding, UNCHANGED))
                continue
            module = changed
            made.add(key)
            done.append(finding)
        after = _final_newline_kept(before, module.bytes)
        if after == before:
            skipped.extend((f, UNCHANGED) for f in done)
            continue
        try:
            ast.parse(after)
        except (SyntaxError, ValueError) as exc:
            skipped.extend(
                (f, f"fixed code does not compile ({exc}); file left alone") for f in done
            )
            continue
        changes.append(FileChange(path, before, after))
        applied.extend(done)
    return FixPlan(tuple(changes), tuple(applied), tuple(skipped))


def _load(reference: str) -> type:
    module_name, _, attribute = reference.partition(":")
    loaded: type = getattr(importlib.import_module(module_name), attribute)
    return loaded


def unwritable(path: Path) -> str | None:
    """Why ``path`` must not be rewritten, or None: a file without write permission (even
    where root could write it anyway), or one whose owner a rewrite could not keep."""
    try:
        status = path.stat()
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if not status.st_mode & 0o222 or not os.access(path, os.W_OK):
        return "is read-only"
    if status.st_uid != os.geteuid() and os.geteuid() != 0:
        return "belongs to another user"
    return None


_NEWLINES = (b"\r\n", b"\r", b"\n")


def _final_newline_kept(before: bytes, after: bytes) -> bytes:
    """``after`` ending in the newline ``before`` ends in (libcst drops the last ``\r`` of
    a file with lone-CR line endings)."""
    ending = next((n for n in _NEWLINES if before.endswith(n)), b"")
    if ending and not after.endswith(ending):
        return after.rstrip(b"\r\n") + ending
    return after


def write_all(rootdir: Path, changes: Sequence[FileChange]) -> None:
    """Write every change or none: new contents go to temporary files beside their
    targets first (the targets of symlinks, with their mode and owner), then replace
    them; if any step fails, originals are put back."""
    staged: list[tuple[Path, Path]] = []
    try:
        for change in changes:
            target = Path(os.path.realpath(rootdir / change.path))
            status = target.stat()
            handle, temp_name = tempfile.mkstemp(prefix=".ta-", dir=target.parent)
            staged.append((Path(temp_name), target))
            with os.fdopen(handle, "wb") as stream:
                stream.write(change.after)
            os.chmod(temp_name, status.st_mode & 0o7777)
            if (status.st_uid, status.st_gid) != (os.geteuid(), os.getegid()):
                os.chown(temp_name, status.st_uid, status.st_gid)
    except OSError:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
        raise
    replaced: list[tuple[Path, bytes]] = []
    try:
        for (temp, target), change in zip(staged, changes, strict=True):
            os.replace(temp, target)
            replaced.append((target, change.before))
    except OSError:
        for target, before in replaced:
            target.write_bytes(before)
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
        raise
