"""`migrate diff`: a plan's whole change as a git-style diff (renames, new files, hunks).

Text is shown in each file's own encoding (its coding cookie or BOM; latin-1 when it is
not text in any), line endings as they are.
"""

from __future__ import annotations

import difflib
import io
import tokenize

from auditor.migrate.edits import Changes


def _text(data: bytes) -> list[str]:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        text = data.decode("latin-1")
    return text.splitlines(keepends=True)


def _hunks(old: bytes, new: bytes, a: str, b: str) -> list[str]:
    lines = list(difflib.unified_diff(_text(old), _text(new), a, b, n=3))
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return out


def _similarity(old: bytes, new: bytes) -> int:
    if old == new:
        return 100
    return int(difflib.SequenceMatcher(None, _text(old), _text(new)).ratio() * 100)


def render_diff(changes: Changes) -> str:
    """The change as ``git diff -M`` would show it."""
    out: list[str] = []
    back = {new: old for old, new in changes.renames.items()}
    for path in sorted({*changes.renames.values(), *changes.writes}):
        old_path = back.get(path, path)
        new = changes.writes.get(path)
        old = changes.originals.get(path)
        if path in changes.created:
            out.append(f"diff --git a/{path} b/{path}\nnew file mode 100644\n")
            if new:
                out += _hunks(b"", new, "/dev/null", f"b/{path}")
            continue
        out.append(f"diff --git a/{old_path} b/{path}\n")
        if old_path != path:
            content_new = new if new is not None else old
            similarity = _similarity(old or b"", content_new or b"")
            out.append(
                f"similarity index {similarity}%\nrename from {old_path}\nrename to {path}\n"
            )
        if new is not None and old is not None and new != old:
            out += _hunks(old, new, f"a/{old_path}", f"b/{path}")
    return "".join(out)
