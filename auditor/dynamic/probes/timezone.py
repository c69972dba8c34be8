"""The process time zone: ``time.tzset()`` after changing ``TZ``, left in place.

Example: ``os.environ["TZ"] = "Asia/Tokyo"; time.tzset()`` leaves
``time.tzname = ('JST', 'JST') (was ('UTC', 'UTC'))``: local times shift in every later test.
"""

from __future__ import annotations

import time

from auditor.dynamic.probes import ProbeContext, Snapshot


class TimezoneProbe:
    name = "timezone"

    def snapshot(self) -> Snapshot:
        return {"time.tzname": repr(time.tzname), "time.timezone": str(time.timezone)}


def factory(context: ProbeContext) -> TimezoneProbe:
    return TimezoneProbe()
