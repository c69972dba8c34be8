"""Threads started by a test and still alive after it.

Example: a test that starts a worker thread and never joins it leaves
``thread 'worker' = 'alive'``; the thread keeps running into later tests.
"""

from __future__ import annotations

import threading

from auditor.dynamic.probes import ProbeContext, Snapshot, short


class ThreadProbe:
    name = "threads"

    def snapshot(self) -> Snapshot:
        return {
            f"thread {short(thread.name, 60)!r}#{thread.ident}": (
                "alive, daemon" if thread.daemon else "alive"
            )
            for thread in threading.enumerate()
            if thread is not threading.main_thread()
        }


def factory(context: ProbeContext) -> ThreadProbe:
    return ThreadProbe()
