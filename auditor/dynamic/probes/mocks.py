"""``unittest.mock`` patches started with ``.start()`` and never stopped.

Example: ``mock.patch("shop.clock.now").start()`` in a test without ``stop()`` leaves
``mock.patch('shop.clock.now') = 'active'``: every later test sees the mock.
"""

from __future__ import annotations

from unittest import mock

from auditor.dynamic.probes import ProbeContext, Snapshot, short


def _target(patcher: object) -> str:
    getter = getattr(patcher, "getter", None)
    attribute = getattr(patcher, "attribute", "?")
    try:
        target = getter() if callable(getter) else None
    except Exception as error:  # the patched target may be gone; name it anyway
        return f"<{type(error).__name__}>.{attribute}"
    owner = getattr(target, "__name__", type(target).__name__)
    return f"{owner}.{attribute}"


class MockProbe:
    name = "mocks"

    def snapshot(self) -> Snapshot:
        active = getattr(mock._patch, "_active_patches", [])
        snapshot: dict[str, str] = {}
        for patcher in active:
            key = f"mock.patch({short(_target(patcher), 100)!r})"
            snapshot[key] = "active" if key not in snapshot else snapshot[key] + "+"
        return snapshot


def factory(context: ProbeContext) -> MockProbe:
    return MockProbe()
