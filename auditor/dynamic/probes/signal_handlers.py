"""Signal handlers installed by a test and not restored.

Example: ``signal.signal(signal.SIGALRM, handler)`` without restoring leaves
``signal.getsignal(SIGALRM) = <function handler>``; ``signal.alarm`` in a later test runs it.
"""

from __future__ import annotations

import signal

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

    def snapshot(self) -> Snapshot:
        return {
            f"signal.getsignal({name})": _describe(signal.getsignal(number))
            for name, number in self.signals
        }


def factory(context: ProbeContext) -> SignalProbe:
    return SignalProbe()
