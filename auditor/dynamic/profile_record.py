"""The per-test profile record: what :mod:`auditor.dynamic.plugin.profile` measured for one
test, as the plugin writes it (the ``profile`` of a ``test`` line, :mod:`auditor.dynamic.record`),
the runner reads it (:mod:`auditor.dynamic.runner.observations`) and the reports write its
:class:`Access` part again (:mod:`auditor.report.profile_table`).

Its JSON (the plugin always writes ``peak_kb``; on reading every key is optional)::

    {"connect": ["127.0.0.1:5432"], "lookup": [...], "subprocess": [...], "write": [...],
     "sqlite": [...], "more": {"write": 5}, "statements": 12, "memory_statements": 3,
     "peak_kb": 2048,
     "fixtures": [{"name": "db", "scope": "session", "where": "tests/conftest.py:12",
                   "phase": "setup", "seconds": 0.2, "statements": 1}],
     "errors": 1}

The kinds of :data:`ACCESS_KINDS`, ``more``, ``statements`` and ``memory_statements`` are an
:class:`Access`, on the test and on each fixture entry. Empty kinds and zero counts are left
out. Reading validates: a missing key takes its default, a key of the wrong type (or an
unknown fixture phase) raises :class:`ProfileRecordError` naming it; keys it does not know
are ignored.

Standard library only: the plugin loads it inside the user's pytest process.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ACCESS_KINDS = ("connect", "lookup", "subprocess", "write", "sqlite")
"""The kinds of outside access, strongest evidence first: the reports' order."""
SETUP, TEARDOWN = "setup", "teardown"
"""The phases of a fixture entry."""


class ProfileRecordError(ValueError):
    """A profile record that is not what :class:`ProfileRecord` writes."""


@dataclass(frozen=True, slots=True)
class Access:
    """What one test (or fixture) reached outside the process."""

    reached: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """kind -> values, e.g. ``connect`` -> ``("127.0.0.1:5432",)``; written in this order."""
    more: Mapping[str, int] = field(default_factory=dict)
    """kind -> values left out of ``reached`` (the profile keeps 20 per kind)."""
    statements: int = 0
    memory_statements: int = 0

    @property
    def external(self) -> bool:
        """Reached a server, a process, a file or a database (not an in-memory one)."""
        return bool(self.reached or self.statements)

    def kinds(self) -> list[tuple[str, tuple[str, ...]]]:
        """(kind, values) in the order of :data:`ACCESS_KINDS`."""
        return [(kind, self.reached[kind]) for kind in ACCESS_KINDS if kind in self.reached]

    def in_kind_order(self) -> Access:
        """The same access with its kinds in the order of :data:`ACCESS_KINDS` (the record
        keeps the order they were first reached in)."""
        return Access(dict(self.kinds()), self.more, self.statements, self.memory_statements)

    def merged(self, other: Access) -> Access:
        """Both accesses: values deduplicated in order, counts added."""
        reached = {k: tuple(dict.fromkeys(v)) for k, v in self.reached.items()}
        for kind, values in other.reached.items():
            reached[kind] = tuple(dict.fromkeys((*reached.get(kind, ()), *values)))
        more = dict(self.more)
        for kind, count in other.more.items():
            more[kind] = more.get(kind, 0) + count
        return Access(
            reached,
            more,
            self.statements + other.statements,
            self.memory_statements + other.memory_statements,
        )

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {kind: list(values) for kind, values in self.reached.items()}
        if self.more:
            data["more"] = dict(self.more)
        if self.statements:
            data["statements"] = self.statements
        if self.memory_statements:
            data["memory_statements"] = self.memory_statements
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any], at: str = "profile") -> Access:
        """The access keys of ``data`` (a record or a fixture entry; its other keys are not
        looked at), the kinds in their order in ``data``; ``at`` names ``data`` in errors."""
        reached: dict[str, tuple[str, ...]] = {}
        for key in data:
            if key in ACCESS_KINDS:
                values = _strings(data, key, at)
                if values:
                    reached[key] = values
        more = _mapping(data.get("more", {}), "'more'", at)
        return cls(
            reached,
            {str(kind): _int(more, kind, f"{at}: in 'more'") for kind in more},
            _int(data, "statements", at),
            _int(data, "memory_statements", at),
        )


@dataclass(frozen=True, slots=True)
class FixtureEntry:
    """One setup or teardown of a fixture during a test, with what it reached (wider scopes:
    what it reached is the fixture's, not the test's)."""

    name: str
    scope: str
    where: str
    """``tests/conftest.py:12`` for the suite's fixtures, ``module:line`` for others."""
    phase: str
    """:data:`SETUP` or :data:`TEARDOWN`."""
    seconds: float
    access: Access = field(default_factory=Access)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "scope": self.scope,
            "where": self.where,
            "phase": self.phase,
            "seconds": self.seconds,
            **self.access.to_json(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], at: str = "fixture") -> FixtureEntry:
        """``at`` names ``data`` in errors."""
        phase = _str(data, "phase", SETUP, at)
        if phase not in (SETUP, TEARDOWN):
            raise ProfileRecordError(f"{at}: 'phase' is {phase!r}, expected setup or teardown")
        return cls(
            name=_str(data, "name", "?", at),
            scope=_str(data, "scope", "function", at),
            where=_str(data, "where", "?", at),
            phase=phase,
            seconds=_float(data, "seconds", at),
            access=Access.from_json(data, at),
        )


@dataclass(frozen=True, slots=True)
class ProfileRecord:
    """The profile of one test: what it reached itself, how far its peak resident memory
    rose, its fixtures' setups and teardowns, and the audit events the profile could not
    read."""

    peak_kb: int = 0
    access: Access = field(default_factory=Access)
    fixtures: tuple[FixtureEntry, ...] = ()
    errors: int = 0

    def to_json(self) -> dict[str, Any]:
        data = self.access.to_json()
        data["peak_kb"] = self.peak_kb
        if self.fixtures:
            data["fixtures"] = [entry.to_json() for entry in self.fixtures]
        if self.errors:
            data["errors"] = self.errors
        return data

    @classmethod
    def from_json(cls, data: object) -> ProfileRecord:
        """Raises :class:`ProfileRecordError` for a key of the wrong type."""
        record = _mapping(data, "the record", "profile")
        entries = record.get("fixtures", [])
        if not isinstance(entries, list):
            raise ProfileRecordError(f"profile: 'fixtures' is {_type(entries)}, expected a list")
        fixtures = []
        for index, entry in enumerate(entries):
            at = f"profile: fixtures[{index}]"
            fixtures.append(FixtureEntry.from_json(_mapping(entry, "the entry", at), at))
        return cls(
            peak_kb=_int(record, "peak_kb", "profile"),
            access=Access.from_json(record, "profile"),
            fixtures=tuple(fixtures),
            errors=_int(record, "errors", "profile"),
        )


def _int(data: Mapping[str, Any], key: str, at: str) -> int:
    """``data[key]``, 0 when missing."""
    value = data.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProfileRecordError(f"{at}: {key!r} is {_type(value)}, expected an integer")
    return value


def _float(data: Mapping[str, Any], key: str, at: str) -> float:
    """``data[key]`` (an integer will do), 0.0 when missing."""
    value = data.get(key, 0.0)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProfileRecordError(f"{at}: {key!r} is {_type(value)}, expected a number")
    return value


def _str(data: Mapping[str, Any], key: str, default: str, at: str) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise ProfileRecordError(f"{at}: {key!r} is {_type(value)}, expected a string")
    return value


def _strings(data: Mapping[str, Any], key: str, at: str) -> tuple[str, ...]:
    values = data[key]
    if not isinstance(values, list):
        raise ProfileRecordError(f"{at}: {key!r} is {_type(values)}, expected a list")
    for value in values:
        if not isinstance(value, str):
            raise ProfileRecordError(f"{at}: {key!r} holds {_type(value)}, expected strings")
    return tuple(values)


def _mapping(value: object, what: str, at: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ProfileRecordError(f"{at}: {what} is {_type(value)}, expected an object")
    return value


def _type(value: object) -> str:
    return "null" if value is None else type(value).__name__
