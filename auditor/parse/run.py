"""Parse many files: cache first, then worker processes for what is left."""

from __future__ import annotations

import ast
import gc
import os
import pickle
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

from auditor.parse.cache import Summary, SummaryCache, content_digest
from auditor.parse.source import UnreadableSource, decode
from auditor.parse.summary import ParseFailure

PARALLEL_THRESHOLD = 16


def parse_bytes(relpath: str, data: bytes) -> Summary:
    """Summarise one file's bytes; never raises for bad input."""
    import libcst

    from auditor.parse.extract import summarize

    try:
        source = decode(data)
    except UnreadableSource as exc:
        return ParseFailure(relpath, exc.reason, exc.message)
    try:
        tree = ast.parse(source.text)
    except SyntaxError as error:
        return ParseFailure(
            relpath,
            "syntax-error",
            f"syntax error: {error.msg}",
            line=error.lineno or 1,
            col=max((error.offset or 1) - 1, 0),
        )
    except (ValueError, RecursionError, MemoryError) as error:
        return ParseFailure(relpath, "syntax-error", f"Python cannot compile this file: {error}")
    try:
        return summarize(relpath, source.text, tree)
    except libcst.ParserSyntaxError as exc:
        return ParseFailure(
            relpath,
            "syntax-error",
            f"libcst cannot parse this file: {exc.message}",
            line=exc.raw_line,
            col=exc.raw_column,
        )
    except RecursionError:
        return ParseFailure(relpath, "too-deep", "nesting too deep to parse")
    except Exception as exc:
        return ParseFailure(relpath, "internal-error", f"cannot analyse: {exc!r}")


def _parse_path(job: tuple[str, str]) -> tuple[Summary, str]:
    relpath, absolute = job
    try:
        data = Path(absolute).read_bytes()
    except OSError as exc:
        failure = ParseFailure(relpath, "unreadable", f"cannot read: {exc.strerror}")
        return failure, ""
    return parse_bytes(relpath, data), content_digest(data)


def _parse_chunk(jobs: Sequence[tuple[str, str]]) -> list[tuple[Summary, str]]:
    """Parse several files with the garbage collector paused: libcst allocates millions
    of small objects that are all still alive, so collections only cost time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return [_parse_path(job) for job in jobs]
    finally:
        if enabled:
            gc.enable()


def _chunks(jobs: Sequence[tuple[str, str]], size: int) -> list[Sequence[tuple[str, str]]]:
    return [jobs[i : i + size] for i in range(0, len(jobs), size)]


def _pool(jobs: int) -> ProcessPoolExecutor:
    """Forked workers on Linux start without re-importing anything."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if sys.platform.startswith("linux") else None
    return ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context(method))


def parse_files(
    rootdir: Path,
    relpaths: Sequence[str],
    *,
    cache: SummaryCache | None = None,
    jobs: int | None = None,
    prefetch: Prefetch | None = None,
) -> dict[str, Summary]:
    """Summaries of `relpaths` (relative to `rootdir`), in the order given. New
    summaries go into `cache`; the caller saves it once, at the end of its run."""
    results: dict[str, Summary] = {}
    pending: list[tuple[str, str]] = []
    stats: dict[str, os.stat_result] = {}
    for relpath in relpaths:
        absolute = rootdir / relpath
        if cache is not None:
            try:
                stats[relpath] = stat = absolute.stat()
            except OSError as exc:
                results[relpath] = ParseFailure(
                    relpath, "unreadable", f"cannot read: {exc.strerror}"
                )
                continue
            cached = cache.fresh(relpath, stat) or _by_content(cache, relpath, stat)
            if cached is not None:
                results[relpath] = cached
                continue
        pending.append((relpath, str(absolute)))
    if prefetch is not None:
        for job in list(pending):
            relpath = job[0]
            taken = prefetch.take(relpath)
            if taken is not None and taken[1] == _digest_of(Path(job[1])):
                pending.remove(job)
                results[relpath] = taken[0]
                if cache is not None:
                    cache.store(relpath, stats[relpath], taken[1], taken[0])
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers > 1 and len(pending) >= PARALLEL_THRESHOLD:
        with _pool(workers) as pool:
            chunk = max(1, len(pending) // (workers * 8))
            batches = pool.map(_parse_chunk, _chunks(pending, chunk))
            parsed = [result for batch in batches for result in batch]
    else:
        parsed = _parse_chunk(pending)
    for (relpath, _), (summary, digest) in zip(pending, parsed, strict=True):
        results[relpath] = summary
        if cache is not None and digest:
            cache.store(relpath, stats[relpath], digest, summary)
    return {relpath: results[relpath] for relpath in relpaths}


def _digest_of(path: Path) -> str:
    try:
        return content_digest(path.read_bytes())
    except OSError:
        return ""


def _by_content(cache: SummaryCache, relpath: str, stat: os.stat_result) -> Summary | None:
    """A file whose mtime changed but whose content did not (a touch, a checkout)."""
    if relpath not in cache.entries:
        return None
    try:
        digest = content_digest((cache.rootdir / relpath).read_bytes())
    except OSError:
        return None
    summary = cache.by_digest(relpath, digest)
    if summary is not None:
        cache.store(relpath, stat, digest, summary)
    return summary


class Prefetch:
    """Files parsed in a forked child while the parent goes on loading everything else.

    `check FILE...` in pre-commit names the files that changed: their summaries are
    needed, and parsing them (importing libcst, then parsing) is most of a one-file
    check. On a machine with two cores the child does that while the parent imports
    the rules, loads the cache and discovers the suite. Linux and macOS only (fork);
    elsewhere, and for long lists, nothing is prefetched.
    """

    LIMIT = 16

    def __init__(self, rootdir: Path, relpaths: Sequence[str]) -> None:
        self.results: dict[str, tuple[Summary, str]] | None = None
        self.pid = 0
        self.reader = -1
        if not hasattr(os, "fork") or not relpaths or len(relpaths) > self.LIMIT:
            self.results = {}
            return
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: parse, send, leave without running any cleanup
            os.close(reader)
            try:
                parsed = {rel: _parse_path((rel, str(rootdir / rel))) for rel in relpaths}
                payload = pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(writer, "wb") as stream:
                    stream.write(payload)
            finally:
                os._exit(0)
        os.close(writer)
        self.pid, self.reader = pid, reader

    def take(self, relpath: str) -> tuple[Summary, str] | None:
        """The child's result for `relpath` (waits for the child the first time)."""
        if self.results is None:
            with os.fdopen(self.reader, "rb") as stream:
                data = stream.read()
            os.waitpid(self.pid, 0)
            try:
                loaded = pickle.loads(data) if data else {}
            except (pickle.UnpicklingError, EOFError, AttributeError, ImportError):
                loaded = {}
            self.results = loaded if isinstance(loaded, dict) else {}
        return self.results.get(relpath)

    def close(self) -> None:
        """Stop a child whose work was not needed (the files were fresh in the cache)."""
        if self.results is None:
            try:
                os.kill(self.pid, 9)
                os.waitpid(self.pid, 0)
            except OSError:
                pass
            os.close(self.reader)
            self.results = {}
