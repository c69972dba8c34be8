"""Progress for commands that run tests, on stderr: a rich bar per pytest run on a terminal,
plain lines (phase, tests done, elapsed) at most every few seconds when stderr is a file or
a pipe, so that a CI log shows that a long hunt is alive."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)


@contextmanager
def run_progress(enabled: bool = True) -> Iterator[Callable[[str, int, int], None]]:
    """A callback ``(label, done, total)`` that shows the current run's progress on stderr:
    a bar on a terminal, :class:`PlainProgress` lines otherwise; a no-op when not
    ``enabled``. Standard output (the report, JSON) is never touched."""
    console = Console(stderr=True)
    if not enabled:
        yield lambda label, done, total: None
        return
    if not console.is_terminal:
        yield PlainProgress(sys.stderr)
        return
    progress = Progress(
        TextColumn("[bold]{task.description}", table_column=None),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    tasks: dict[str, TaskID] = {}

    def update(label: str, done: int, total: int) -> None:
        if label not in tasks:
            for task in tasks.values():
                progress.update(task, visible=False)
            tasks[label] = progress.add_task(label[:45], total=total or None)
        progress.update(tasks[label], completed=done, total=total or None)

    with progress:
        yield update


class PlainProgress:
    """Progress as plain lines: one when a run starts, then at most one every ``every``
    seconds while it goes on, each naming the run, the tests done and the time elapsed
    since the command started."""

    def __init__(
        self,
        stream: TextIO,
        every: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.every = every
        self.clock = clock
        self.started = clock()
        self.label: str | None = None
        self.last = -every

    def __call__(self, label: str, done: int, total: int) -> None:
        now = self.clock()
        if label == self.label and now - self.last < self.every:
            return
        self.label = label
        self.last = now
        of = f"/{total}" if total else ""
        elapsed = int(now - self.started)
        self.stream.write(
            f"test-auditor: {label}: {done}{of} tests, {elapsed // 60}:{elapsed % 60:02d} elapsed\n"
        )
        self.stream.flush()
