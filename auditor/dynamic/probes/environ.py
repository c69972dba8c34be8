"""``os.environ``: variables set, changed or removed and not restored.

Example: a test that does ``os.environ["APP_MODE"] = "beta"`` leaves
``os.environ['APP_MODE'] = 'beta' (was unset)``.
"""

from __future__ import annotations

import os

from auditor.dynamic.probes import ProbeContext, Snapshot, short

IGNORED = frozenset({"PYTEST_CURRENT_TEST"})
"""pytest rewrites this one around every phase."""


class EnvironProbe:
    name = "environ"

    def snapshot(self) -> Snapshot:
        return {
            f"os.environ[{key!r}]": short(repr(value))
            for key, value in os.environ.items()
            if key not in IGNORED
        }


def factory(context: ProbeContext) -> EnvironProbe:
    return EnvironProbe()
