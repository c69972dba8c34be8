"""How a pytest run ended, and which of the tests it meant to run never did.

A run ends well when pytest finished its session (the record's last ``session`` line has
an exit status) with exit code 0 or 1. Anything else loses tests, and the report must say
so instead of "nothing found": a test that called ``os._exit()`` or crashed the interpreter
(a signal), a test interrupted by ``KeyboardInterrupt`` or ``pytest.exit()``, a test that ran
past the per-test timeout. The record's last ``start`` line without its ``test`` line names
the test it happened in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from auditor.dynamic.record import INTERRUPTED, SessionRecord, TestRecord
from auditor.dynamic.runner.processes import signal_name

TIMED_OUT = -1000
"""The exit code the driver gives a run it ended for running past the per-test timeout."""


@dataclass(frozen=True)
class Crash:
    """A test during which the pytest process ended (or which it had to be ended for)."""

    nodeid: str
    """The test it happened in ("": before the first test, or not known)."""
    why: str
    run_label: str
    """The run it happened in."""

    def to_json(self) -> dict[str, str]:
        return {"nodeid": self.nodeid, "why": self.why, "run": self.run_label}


def crash_of(
    returncode: int,
    session: SessionRecord,
    records: Sequence[TestRecord],
    *,
    label: str,
    timeout: float | None,
) -> Crash | None:
    """The crash that ended this run early, or None when pytest finished it."""
    interrupted = next((r for r in reversed(records) if r.outcome == INTERRUPTED), None)
    if interrupted is not None:
        why = "interrupted in the test (KeyboardInterrupt or pytest.exit())"
        return Crash(interrupted.nodeid, why, label)
    during = session.unfinished or ""
    where = f"in {during}" if during else _after(records)
    if returncode == TIMED_OUT:
        return Crash(during, f"ran past the per-test timeout of {timeout:g} s", label)
    if returncode < 0:
        name = signal_name(-returncode)
        return Crash(during, f"the pytest process was killed by {name} {where}", label)
    if session.exitstatus is None:
        return Crash(
            during,
            f"the pytest process exited with code {returncode} {where} "
            "without finishing the session (os._exit() or a crash)",
            label,
        )
    if session.exitstatus == 2 and during:
        return Crash(during, "interrupted in the test (KeyboardInterrupt)", label)
    return None


def _after(records: Sequence[TestRecord]) -> str:
    return f"after {records[-1].nodeid}" if records else "before the first test"


def remaining(planned: Sequence[str], records: Sequence[TestRecord], crash: Crash) -> list[str]:
    """The planned tests after the one that crashed (that one is left out: it would crash
    the next process too)."""
    done = len(records)
    if crash.nodeid and records and records[-1].nodeid == crash.nodeid:
        done -= 1  # the interrupted test has a record
    rest = list(planned[done:])
    if rest and rest[0] == crash.nodeid:
        rest = rest[1:]
    elif crash.nodeid in rest:
        rest.remove(crash.nodeid)
    return rest
