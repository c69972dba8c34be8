"""The pytest processes test-auditor starts: each in a session (and process group) of its
own, ended as a group, and every one ended when test-auditor is interrupted.

A test can start processes of its own (a server, a ``sleep 1000``); killing pytest alone
would leave them running with parent pid 1. So pytest starts a new session, and whatever
ends its run (the end of the run, a timeout, an interrupt) ends the whole group: first
``SIGTERM``, then ``SIGKILL`` for what is still there a moment later. Since pytest is no
longer in the terminal's foreground group, Ctrl-C reaches only test-auditor, which ends the
groups itself (:func:`stop_all`) before it exits with 130 (143 for ``SIGTERM``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

GRACE = 2.0
"""Seconds a group gets between SIGTERM and SIGKILL."""


class Stopped(Exception):
    """test-auditor is stopping (interrupted or terminated): the run was ended."""


class Terminated(BaseException):
    """``SIGTERM`` reached test-auditor (raised in the main thread, like KeyboardInterrupt)."""


_live: dict[int, tuple[subprocess.Popen[str], str]] = {}
"""pid -> (process, what it runs), for every pytest started and not yet ended."""
_lock = threading.Lock()
_stopping = threading.Event()
_interrupted: list[str] = []
"""What the runs ended by an interrupt were doing, for the message test-auditor exits with."""


def start(
    command: Sequence[str], *, cwd: Path, env: Mapping[str, str], output: IO[str], label: str
) -> subprocess.Popen[str]:
    """Start ``command`` in a new session (its own process group)."""
    if _stopping.is_set():
        raise Stopped("test-auditor is stopping")
    process = subprocess.Popen(
        list(command),
        cwd=cwd,
        env=dict(env),
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    with _lock:
        _live[process.pid] = (process, label)
    return process


def end_group(process: subprocess.Popen[str]) -> None:
    """End ``process`` and every process of its group (what its tests started), then forget
    it. Safe to call more than once, and after the process ended by itself."""
    for sent in (signal.SIGTERM, signal.SIGKILL):
        if not _signal_group(process.pid, sent):
            break
        deadline = time.monotonic() + GRACE
        while time.monotonic() < deadline and _group_alive(process.pid):
            process.poll()
            time.sleep(0.05)
        if not _group_alive(process.pid):
            break
    try:
        process.wait(timeout=GRACE)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    with _lock:
        _live.pop(process.pid, None)


def _signal_group(pgid: int, sent: int) -> bool:
    try:
        os.killpg(pgid, sent)
    except ProcessLookupError:
        return False
    except PermissionError:  # a member changed its uid; end what we can
        return False
    return True


def _group_alive(pgid: int) -> bool:
    return _signal_group(pgid, 0)  # signal 0: is anyone of the group still there?


def stopping() -> bool:
    return _stopping.is_set()


def note_interrupted(label: str) -> None:
    with _lock:
        _interrupted.append(label)


def stop_all() -> list[str]:
    """End every live pytest group (test-auditor is interrupted); what they were running."""
    _stopping.set()
    with _lock:
        live = list(_live.values())
    for process, _ in live:
        end_group(process)
    with _lock:
        return list(dict.fromkeys([*_interrupted, *(label for _, label in live)]))


def reset() -> None:
    """Allow new runs again (tests of this module; a command starts with it)."""
    _stopping.clear()
    with _lock:
        _interrupted.clear()


@contextmanager
def terminate_as_exception() -> Iterator[None]:
    """Within the block, ``SIGTERM`` raises :class:`Terminated` in the main thread, so
    that the same unwinding as for Ctrl-C ends the pytest groups and removes temporary
    folders (Python's default for SIGTERM is to die on the spot)."""

    def raise_terminated(signum: int, frame: object) -> None:
        raise Terminated

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
