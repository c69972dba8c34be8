"""One ``sys.addaudithook`` for the whole plugin, shared by the probes and the profile.

Audit hooks cannot be removed, so the hook is installed once and only dispatches to the
subscribers registered at the time. Each subscriber names the events it reads; the hook
looks the event up and returns at once for any other (``builtins.id``, ``sys._getframe``,
``compile``... come by the hundred thousand in a suite, and each used to call every
subscriber). Subscribers get the event name and its arguments and must not raise (an
exception in an audit hook aborts the audited operation).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import Any

Subscriber = Callable[[str, tuple[Any, ...]], None]

_by_event: dict[str, tuple[Subscriber, ...]] = {}
"""Event name -> the subscribers that read it."""
_installed = False
_muted = 0


def _hook(event: str, args: tuple[Any, ...]) -> None:
    subscribers = _by_event.get(event)
    if subscribers is None or _muted:
        return
    for subscriber in subscribers:
        subscriber(event, args)


def subscribe(subscriber: Subscriber, events: Iterable[str]) -> None:
    """Start sending ``events`` (audit event names) to ``subscriber``."""
    global _installed
    if not _installed:
        sys.addaudithook(_hook)
        _installed = True
    for event in events:
        known = _by_event.get(event, ())
        if subscriber not in known:
            _by_event[event] = (*known, subscriber)


def unsubscribe(subscriber: Subscriber) -> None:
    for event, known in list(_by_event.items()):
        left = tuple(other for other in known if other != subscriber)
        if left:
            _by_event[event] = left
        else:
            del _by_event[event]


def is_muted() -> bool:
    """Inside :class:`muted`: for listeners that are not audit hooks (SQL statement counters)
    but must not count the plugin's own work either."""
    return _muted > 0


class muted:
    """A context in which the plugin's own operations (probes reading state) are not events."""

    def __enter__(self) -> None:
        global _muted
        _muted += 1

    def __exit__(self, *exc: object) -> None:
        global _muted
        _muted -= 1
