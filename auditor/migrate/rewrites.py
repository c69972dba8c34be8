"""The ``rewrite`` operations of a plan: every module whose text must change for the
plan's moves (:mod:`auditor.migrate.rewrite`), and the moves held back for what cannot be
rewritten, until what is left rewrites cleanly."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from auditor.migrate.creates import with_creates
from auditor.migrate.names import Moves
from auditor.migrate.plan_file import Operation
from auditor.migrate.rewrite import RewriteError, dotted_words, needs_rewrite, rewrite_module

MAX_ROUNDS = 6


def _source(file: Path) -> tuple[bytes, frozenset[bytes]]:
    """The bytes of ``file`` and their dotted words, read once per version of the file
    (planning reads the same files in every round of the proof)."""
    status = file.stat()
    return _read(file, status.st_mtime_ns, status.st_size)


@lru_cache(maxsize=4096)
def _read(file: Path, _mtime: int, _size: int) -> tuple[bytes, frozenset[bytes]]:
    data = file.read_bytes()
    return data, dotted_words(data)


def moves_of(rootdir: Path, operations: Sequence[Operation]) -> Moves:
    """What the applied moves (and renames) of ``operations`` do to paths and names."""
    applied = [op for op in operations if op.apply and op.kind in ("move", "rename")]
    return Moves(
        rootdir,
        {op.path: op.target for op in applied},
        frozenset(c for op in applied for c in op.creates),
    )


def held_with_companions(operations: Sequence[Operation]) -> list[Operation]:
    """A move that follows other modules (a conftest) held back with any of them."""
    moved = {op.path for op in operations if op.apply and op.kind == "move"}
    result = list(operations)
    for _ in range(len(result)):
        changed = False
        for index, op in enumerate(result):
            stays = [m for m in op.follows if m not in moved]
            if op.apply and stays:
                result[index] = op.held(f"goes with {stays[0]}, which is held back")
                moved.discard(op.path)
                changed = True
        if not changed:
            break
    return result


def with_rewrites(
    rootdir: Path, files: Sequence[str], operations: Sequence[Operation]
) -> list[Operation]:
    """``operations`` (without rewrites) plus the rewrites the applied moves need, after
    the moves; a move whose rewrite has a hazard is held back with it."""
    current = [op for op in operations if op.kind != "rewrite"]
    rewrites: list[Operation] = []
    sources: dict[str, tuple[bytes, frozenset[bytes]]] = {}
    for _ in range(MAX_ROUNDS):
        current = with_creates(rootdir, held_with_companions(current))
        moves = moves_of(rootdir, current)
        blamed: dict[str, list[str]] = {}
        rewrites = []
        split = {op.path for op in current if op.apply and op.kind == "split"}
        for path in sorted({*files, *moves.moves} - split):
            if not path.endswith(".py"):
                continue
            if path not in sources:
                try:
                    sources[path] = _source(rootdir / path)
                except OSError:
                    continue
            data, words = sources[path]
            if not needs_rewrite(data, path, moves, words):
                continue
            try:
                done = rewrite_module(data, path, moves)
            except RewriteError as exc:
                blamed.setdefault(path, []).append(str(exc))
                continue
            for hazard, culprit in done.hazards:
                where = "" if culprit == path else f"{path}: "
                blamed.setdefault(culprit, []).append(where + hazard)
            if done.data != data:
                rewrites.append(
                    Operation(
                        id=f"rewrite-{len(rewrites) + 1:03d}",
                        kind="rewrite",
                        path=path,
                        evidence=tuple(done.what),
                    )
                )
        held = [
            op.held(*blamed[op.path])
            if op.apply and op.kind in ("move", "rename") and op.path in blamed
            else op
            for op in current
        ]
        if held == current:
            break
        current = held
    else:
        why = f"the rewrites did not settle in {MAX_ROUNDS} rounds"
        current = [op.held(why) if op.kind in ("move", "rename") else op for op in current]
        rewrites = []
    last_move = max(
        (i for i, op in enumerate(current) if op.kind in ("move", "rename")), default=-1
    )
    return [*current[: last_move + 1], *rewrites, *current[last_move + 1 :]]
