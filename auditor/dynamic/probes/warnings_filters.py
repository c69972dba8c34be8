"""``warnings.filters``: filters added and not removed.

pytest restores the filters around each test with ``warnings.catch_warnings`` unless its
warnings plugin is disabled (``-p no:warnings``); filters added at import time, in
``pytest_configure`` or with the plugin off leak. Example: ``warnings.simplefilter("error")``
leaves ``warnings.filters[0] = ('error', None, Warning, None, 0)``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from operator import is_

from auditor.dynamic.probes import ProbeContext, Snapshot, short


def _describe(entry: tuple[object, ...]) -> str:
    action, message, category, module, lineno = entry
    name = getattr(category, "__name__", repr(category))
    text = getattr(message, "pattern", message)
    mod = getattr(module, "pattern", module)
    return short(repr((action, text, name, mod, lineno)))


class WarningsProbe:
    name = "warnings"

    def __init__(self) -> None:
        self._filters: Sequence[object] = ()
        self._last: Snapshot = {}

    def snapshot(self) -> Snapshot:
        """The last snapshot itself while the filters are the very same entries (tuples)."""
        filters = list(warnings.filters)
        if len(filters) == len(self._filters) and all(map(is_, filters, self._filters)):
            return self._last
        snapshot = {"warnings.filters": f"{len(filters)} filters"}
        for index, entry in enumerate(filters[:20]):
            snapshot[f"warnings.filters[{index}]"] = _describe(entry)
        self._filters, self._last = filters, snapshot
        return snapshot


def factory(context: ProbeContext) -> WarningsProbe:
    return WarningsProbe()
