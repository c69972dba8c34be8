"""``warnings.filters``: filters added and not removed.

pytest restores the filters around each test with ``warnings.catch_warnings`` unless its
warnings plugin is disabled (``-p no:warnings``); filters added at import time, in
``pytest_configure`` or with the plugin off leak. Example: ``warnings.simplefilter("error")``
leaves ``warnings.filters[0] = ('error', None, Warning, None, 0)``.
"""

from __future__ import annotations

import warnings

from auditor.dynamic.probes import ProbeContext, Snapshot, short


def _describe(entry: tuple[object, ...]) -> str:
    action, message, category, module, lineno = entry
    name = getattr(category, "__name__", repr(category))
    text = getattr(message, "pattern", message)
    mod = getattr(module, "pattern", module)
    return short(repr((action, text, name, mod, lineno)))


class WarningsProbe:
    name = "warnings"

    def snapshot(self) -> Snapshot:
        filters = list(warnings.filters)
        snapshot = {"warnings.filters": f"{len(filters)} filters"}
        for index, entry in enumerate(filters[:20]):
            snapshot[f"warnings.filters[{index}]"] = _describe(entry)
        return snapshot


def factory(context: ProbeContext) -> WarningsProbe:
    return WarningsProbe()
