"""``os.environ``: variables set, changed or removed and not restored.

Example: a test that does ``os.environ["APP_MODE"] = "beta"`` leaves
``os.environ['APP_MODE'] = 'beta' (was unset)``.

The snapshot is built again only when the environment's raw mapping (``os.environ``'s
encoded ``_data``, copied and compared in C) differs from the last one: most tests change
no variable, and then the last snapshot itself is returned.
"""

from __future__ import annotations

import os

from auditor.dynamic.probes import ProbeContext, Snapshot, short

IGNORED = frozenset({"PYTEST_CURRENT_TEST"})
"""pytest rewrites this one around every phase."""


class EnvironProbe:
    name = "environ"

    def __init__(self) -> None:
        self._raw: dict[object, object] | None = None
        self._last: Snapshot = {}

    def snapshot(self) -> Snapshot:
        raw = getattr(os.environ, "_data", None)
        current = dict(raw) if type(raw) is dict else None  # os.environ swapped: no copy
        if current is not None:
            for key in IGNORED:  # encoded: bytes on POSIX, str elsewhere
                current.pop(key.encode(), None)
                current.pop(key, None)
            if current == self._raw:
                return self._last
        self._raw = current
        self._last = {
            f"os.environ[{key!r}]": short(repr(value))
            for key, value in os.environ.items()
            if key not in IGNORED
        }
        return self._last


def factory(context: ProbeContext) -> EnvironProbe:
    return EnvironProbe()
