"""Paths with pytest's meaning: the one place a user's path becomes absolute or relative.

pytest makes a path absolute with ``os.path.abspath`` (``_pytest.pathlib.absolutepath``):
joined to the invocation folder, ``.`` and ``..`` folded, symlinks *kept*. Node ids and the
rootdir are spelled that way, so test-auditor spells them that way too: resolving symlinks
would give paths pytest never prints, and a lexical ``..`` left in a path makes "is this
folder inside that one" wrong (``elsewhere/../suite`` is not under ``elsewhere``).
"""

from __future__ import annotations

import os
from pathlib import Path


def absolute(path: str | os.PathLike[str], base: str | os.PathLike[str] | None = None) -> Path:
    """``path`` made absolute against ``base`` (default: the working directory) as pytest
    does: ``..`` folded lexically, symlinks kept."""
    joined = os.path.join(os.fspath(base) if base is not None else os.getcwd(), path)
    return Path(os.path.normpath(joined))


def relpath(path: Path, rootdir: Path) -> str:
    """``path`` relative to the rootdir with ``/`` separators, as in pytest's node ids
    (``../x`` for a path outside it)."""
    try:
        return path.relative_to(rootdir).as_posix()
    except ValueError:
        return Path(os.path.relpath(path, rootdir)).as_posix()


def is_inside(path: Path, folder: Path) -> bool:
    """Whether absolute ``path`` is ``folder`` or below it (both spelled by :func:`absolute`)."""
    return path == folder or is_below(path, folder)


def is_below(path: Path, folder: Path) -> bool:
    """Whether ``path`` is below ``folder`` (``folder in path.parents``, without making a
    path object of every parent: the model asks it thousands of times per scan)."""
    if os.name == "nt":  # case-insensitive names: let pathlib compare them
        return folder in path.parents
    inner, outer = path.parts, folder.parts
    return len(inner) > len(outer) and inner[: len(outer)] == outer


def in_rootdir(path: str, rootdir: Path) -> str:
    """``path`` as pytest, which runs in the rootdir, must get it: relative to the rootdir
    when inside it (``leaks tests/samples/leaks`` run from a parent folder), else absolute.
    A node id's ``::`` part is kept."""
    file, sep, rest = path.partition("::")
    full = absolute(file)
    shown = relpath(full, rootdir) if is_inside(full, rootdir) else str(full)
    return shown + sep + rest


def is_file(path: Path) -> bool:
    """Whether ``path`` is a file that can be looked at: False when it is missing *or*
    cannot be (``Path.is_file`` raises on a folder without permission, where pytest,
    which skips what it cannot see, goes on)."""
    try:
        return path.is_file()
    except OSError:
        return False
