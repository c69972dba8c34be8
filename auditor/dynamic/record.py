"""What the plugin writes and the driver reads: one JSON object per line.

A ``start`` line as each test begins and a ``test`` line per executed test, in execution
order, written as soon as the test ends (so a crash keeps what ran before it, and names the
test it happened in); a ``session`` line once collection is done (with the node ids pytest
is about to run) and one at the end (with pytest's exit status: a process that died has
none); with
``--ta-coverage`` a ``coverage`` line before the last, which :mod:`auditor.dynamic.exercised`
writes and reads (:func:`read` skips lines of other types). Kept to the standard library: the
plugin imports it inside the user's pytest process.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.dynamic.probes import Change

PASSED, FAILED, SKIPPED, ERROR = "passed", "failed", "skipped", "error"
INTERRUPTED = "interrupted"
"""A test whose protocol ended without a call report: ``KeyboardInterrupt`` or
``pytest.exit()`` in it. It did not run to the end; the driver reports it, never as passed."""
START = "start"
COLLECT_ERROR = "collect_error"
FIXTURE_LEAK = "fixture_leak"
"""A line written when a wider-scoped fixture is torn down: what its setup or teardown left
changed, as the leak of the test it was set up in (by that test's place in the run)."""


@dataclass
class TestRecord:
    """One execution of one test."""

    nodeid: str
    outcome: str = PASSED
    durations: dict[str, float] = field(default_factory=dict)
    leaked: list[Change] = field(default_factory=list)
    failure: str = ""
    touched: list[str] = field(default_factory=list)
    profile: dict[str, Any] = field(default_factory=dict)
    """With ``--ta-profile``: the JSON of a
    :class:`~auditor.dynamic.profile_record.ProfileRecord` (read with its ``from_json``)."""

    @property
    def failed(self) -> bool:
        return self.outcome in (FAILED, ERROR)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"type": "test", "nodeid": self.nodeid, "outcome": self.outcome}
        data["durations"] = {when: round(value, 6) for when, value in self.durations.items()}
        if self.leaked:
            data["leaked"] = [change.to_json() for change in self.leaked]
        if self.failure:
            data["failure"] = self.failure
        if self.touched:
            data["touched"] = self.touched
        if self.profile:
            data["profile"] = self.profile
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TestRecord:
        return cls(
            nodeid=data["nodeid"],
            outcome=data["outcome"],
            durations=dict(data.get("durations", {})),
            leaked=[Change(*entry) for entry in data.get("leaked", [])],
            failure=data.get("failure", ""),
            touched=list(data.get("touched", [])),
            profile=dict(data.get("profile", {})),
        )


@dataclass
class SessionRecord:
    """The session lines: what was collected, ordered, missing, and how it ended."""

    collected: int = 0
    missing: list[str] = field(default_factory=list)
    probes: list[str] = field(default_factory=list)
    probe_errors: list[str] = field(default_factory=list)
    """Probes that failed to load or to snapshot (they took no further part)."""
    probe_notes: list[str] = field(default_factory=list)
    """What a working probe left out, and why (an object that raises when read)."""
    exitstatus: int | None = None
    """pytest's exit status; None when the process ended without finishing the session."""
    items: list[str] | None = None
    """The node ids pytest was about to run, in order (None: not recorded)."""
    unfinished: str | None = None
    """The test that had started when the record ends without its ``test`` line."""
    left_by_session_fixtures: list[Change] = field(default_factory=list)
    """What session-scoped fixtures left changed after their teardown: reported, never a
    test's leak (nothing of the same process runs after them)."""
    collection_errors: list[tuple[str, str]] = field(default_factory=list)
    """(node id, last line of the error) of what pytest could not collect."""
    monitoring: bool | None = None
    """The interpreter has ``sys.monitoring`` (3.12+), so tracing which code a test runs is
    cheap (:mod:`auditor.dynamic.plugin.touch`); None: not recorded."""


class Writer:
    """Appends lines and flushes each one."""

    def __init__(self, path: Path) -> None:
        self.handle = path.open("a", encoding="utf-8")

    def write(self, data: dict[str, Any]) -> None:
        self.handle.write(json.dumps(data, ensure_ascii=False) + "\n")
        self.handle.flush()

    def close(self) -> None:
        self.handle.close()


def read(path: Path) -> tuple[SessionRecord, list[TestRecord]]:
    """The records in ``path``; a truncated last line (the process died) is ignored."""
    session = SessionRecord()
    tests: list[TestRecord] = []
    pending: dict[int, list[Change]] = {}
    if not path.exists():
        return session, tests
    for line in _lines(path):
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            continue
        if data.get("type") == "test":
            session.unfinished = None
            test = TestRecord.from_json(data)
            test.leaked.extend(pending.pop(len(tests), []))
            tests.append(test)
        elif data.get("type") == FIXTURE_LEAK:
            via = f"{data.get('fixture', '?')} ({data.get('scope', '?')} scope)"
            leaked = [
                Change(probe, key, before, after, via)
                for probe, key, before, after, *_ in data.get("leaked", [])
            ]
            execution = int(data.get("execution", -1))
            if data.get("scope") == "session":
                # Torn down when the session ends: no later test of the process sees what
                # it left, and the next process sets the fixture up afresh. Not a test's.
                session.left_by_session_fixtures.extend(leaked)
            elif 0 <= execution < len(tests):
                tests[execution].leaked.extend(leaked)
            elif execution >= 0:  # torn down in the test that set it up: its line comes next
                pending.setdefault(execution, []).extend(leaked)
        elif data.get("type") == COLLECT_ERROR:
            entry = (str(data.get("nodeid", "")), str(data.get("error", "")))
            session.collection_errors.append(entry)
        elif data.get("type") == START:
            session.unfinished = str(data.get("nodeid", ""))
            continue
        elif data.get("type") == "session":
            if isinstance(data.get("items"), list):
                session.items = [str(nodeid) for nodeid in data["items"]]
            session.collected = data.get("collected", session.collected)
            session.missing = data.get("missing", session.missing)
            session.probes = data.get("probes", session.probes)
            session.probe_errors = data.get("probe_errors", session.probe_errors)
            session.probe_notes = data.get("probe_notes", session.probe_notes)
            if "monitoring" in data:
                session.monitoring = bool(data["monitoring"])
            if "exitstatus" in data:
                session.exitstatus = data["exitstatus"]
    return session, tests


def _lines(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield line
