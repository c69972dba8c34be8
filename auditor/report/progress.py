"""Progress bars (rich, on stderr) for commands that run tests: one bar per pytest run."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

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
    """A callback ``(label, done, total)`` that draws the current run's bar on stderr.

    Off (a no-op) when ``enabled`` is false or stderr is not a terminal, so JSON output and
    CI logs stay clean.
    """
    console = Console(stderr=True)
    if not enabled or not console.is_terminal:
        yield lambda label, done, total: None
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
