"""One ``sys.addaudithook`` for the whole plugin, shared by the probes and the profile.

Audit hooks cannot be removed, so the hook is installed once and only dispatches to the
subscribers registered at the time; with none, it returns at once. Subscribers get the event
name and its arguments and must not raise (an exception in an audit hook aborts the audited
operation).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

Subscriber = Callable[[str, tuple[Any, ...]], None]

_subscribers: list[Subscriber] = []
_installed = False
_muted = 0


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if not _subscribers or _muted:
        return
    for subscriber in _subscribers:
        subscriber(event, args)


def subscribe(subscriber: Subscriber) -> None:
    """Start sending audit events to ``subscriber``."""
    global _installed
    if not _installed:
        sys.addaudithook(_hook)
        _installed = True
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)


def unsubscribe(subscriber: Subscriber) -> None:
    if subscriber in _subscribers:
        _subscribers.remove(subscriber)


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
