"""A simulated suite for the hunt's tests: state, who sets it, who reads it, who is flaky.

Runs like pytest would in one process: state starts empty, each test reads then writes, a
reader fails when the state it reads is not what it expects. It counts executions exactly as
the real driver does, so the hunt's cost can be checked without starting pytest.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from auditor.dynamic.driver import Budget, Run
from auditor.dynamic.probes import Change
from auditor.dynamic.record import SessionRecord, TestRecord


@dataclass
class World:
    tests: list[str]
    writes: dict[str, dict[str, str | None]] = field(default_factory=dict)
    """test -> {state key: value it leaves (None: removes it)}."""
    reads: dict[str, dict[str, str | None]] = field(default_factory=dict)
    """test -> {state key: value it needs to pass}."""
    hidden: set[str] = field(default_factory=set)
    """State keys the probes do not see."""
    flaky: dict[str, float] = field(default_factory=dict)
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    budget: Budget = field(default_factory=Budget)
    executions: int = 0
    processes: int = 0
    runs: list[str] = field(default_factory=list)

    def run(
        self,
        order: Sequence[str] | None,
        *,
        label: str,
        probes: bool = False,
        touch: bool = False,
        profile: bool = False,
        expected: int | None = None,
    ) -> Run:
        self.budget.check(self.executions, len(self.tests if order is None else order))
        state: dict[str, str | None] = {}
        records = []
        for nodeid in self.tests if order is None else order:
            record = TestRecord(nodeid)
            needs = self.reads.get(nodeid, {})
            if any(state.get(key) != value for key, value in needs.items()):
                record.outcome, record.failure = "failed", "AssertionError: state"
            if self.rng.random() < self.flaky.get(nodeid, 0.0):
                record.outcome, record.failure = "failed", "AssertionError: bad luck"
            if touch:
                record.touched = [key.rsplit(".", 1)[-1] for key in needs]
            for key, value in self.writes.get(nodeid, {}).items():
                if state.get(key) != value and probes and key not in self.hidden:
                    before = _shown(state.get(key))
                    record.leaked.append(Change("globals", key, before, _shown(value)))
                state[key] = value
            records.append(record)
        self.executions += len(records)
        self.processes += 1
        self.runs.append(label)
        return Run(label, [r.nodeid for r in records], records, SessionRecord(), 0, 0.0)


def _shown(value: str | None) -> str | None:
    return None if value is None else repr(value)
