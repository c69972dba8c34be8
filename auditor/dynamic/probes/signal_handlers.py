"""Signal handlers installed by a test and not restored.

Example: ``signal.signal(signal.SIGALRM, handler)`` without restoring leaves
``signal.getsignal(SIGALRM) = <function handler>``; ``signal.alarm`` in a later test runs it.
"""

from __future__ import annotations

import signal
from operator import is_

from auditor.dynamic.probes import ProbeContext, Snapshot, short

WATCHED = ("SIGINT", "SIGTERM", "SIGALRM", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGCHLD", "SIGPIPE")


def _describe(handler: object) -> str:
    if callable(handler):
        name = getattr(handler, "__qualname__", type(handler).__name__)
        module = getattr(handler, "__module__", "")
        return short(f"<{module}.{name}>#{id(handler):x}")
    return short(repr(handler))


class SignalProbe:
    name = "signals"

    def __init__(self) -> None:
        self.signals = [(name, getattr(signal, name)) for name in WATCHED if hasattr(signal, name)]
        self._numbers = [number for _, number in self.signals]
        self._handlers: tuple[object, ...] | None = None
        self._last: Snapshot = {}

    def snapshot(self) -> Snapshot:
        """The last snapshot itself while every handler is the very same object."""
        handlers = tuple(map(signal.getsignal, self._numbers))
        if self._handlers is not None and all(map(is_, handlers, self._handlers)):
            return self._last
        self._handlers = handlers
        self._last = {
            f"signal.getsignal({name})": _describe(handler)
            for (name, _), handler in zip(self.signals, handlers, strict=True)
        }
        return self._last


def factory(context: ProbeContext) -> SignalProbe:
    return SignalProbe()
