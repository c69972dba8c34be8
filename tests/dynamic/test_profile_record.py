"""The per-test profile record: one to/from-JSON for the plugin that writes it, the runner that
reads it and the reports that write its access part again."""

from __future__ import annotations

import json
from typing import Any

import pytest

from auditor.config import ProfileSettings
from auditor.dynamic.profile_record import (
    Access,
    FixtureEntry,
    ProfileRecord,
    ProfileRecordError,
)
from auditor.dynamic.record import TestRecord as Record
from auditor.dynamic.runner.observations import observe
from auditor.report.profile_table import access_dict

DB = FixtureEntry(
    "db",
    "session",
    "tests/conftest.py:12",
    "setup",
    0.25,
    Access({"sqlite": ("s.db",)}, statements=1),
)
RECORD = ProfileRecord(
    peak_kb=2048,
    access=Access(
        {"lookup": ("db.internal:5432",), "connect": ("127.0.0.1:5432",), "write": ("out.csv",)},
        more={"write": 5},
        statements=12,
        memory_statements=3,
    ),
    fixtures=(DB, FixtureEntry("tmp_path", "function", "_pytest.tmpdir:328", "teardown", 0.0031)),
    errors=1,
)
WRITTEN = (
    '{"lookup": ["db.internal:5432"], "connect": ["127.0.0.1:5432"], "write": ["out.csv"], '
    '"more": {"write": 5}, "statements": 12, "memory_statements": 3, "peak_kb": 2048, '
    '"fixtures": [{"name": "db", "scope": "session", "where": "tests/conftest.py:12", '
    '"phase": "setup", "seconds": 0.25, "sqlite": ["s.db"], "statements": 1}, '
    '{"name": "tmp_path", "scope": "function", "where": "_pytest.tmpdir:328", '
    '"phase": "teardown", "seconds": 0.0031}], "errors": 1}'
)


def test_a_record_round_trips_through_json_byte_for_byte():
    text = json.dumps(RECORD.to_json())
    assert text == WRITTEN  # the kinds in the order they were first reached
    read = ProfileRecord.from_json(json.loads(text))
    assert read == RECORD
    assert json.dumps(read.to_json()) == text


def test_an_empty_profile_has_only_its_peak():
    assert ProfileRecord().to_json() == {"peak_kb": 0}
    assert ProfileRecord.from_json({}) == ProfileRecord()
    assert ProfileRecord.from_json({"peak_kb": 7}).to_json() == {"peak_kb": 7}


def test_missing_keys_take_their_defaults_and_unknown_keys_are_ignored():
    read = ProfileRecord.from_json({"fixtures": [{}], "connect": [], "later": {"x": 1}})
    assert read.access == Access()
    assert read.fixtures == (FixtureEntry("?", "function", "?", "setup", 0.0),)


def test_the_reports_write_the_kinds_in_their_own_order():
    assert list(access_dict(RECORD.access)) == [
        "connect",
        "lookup",
        "write",
        "more",
        "statements",
        "memory_statements",
    ]
    assert access_dict(RECORD.access) == RECORD.access.to_json()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "profile: the record is list, expected an object"),
        ({"peak_kb": "12"}, "profile: 'peak_kb' is str, expected an integer"),
        ({"statements": True}, "profile: 'statements' is bool, expected an integer"),
        ({"connect": "127.0.0.1:5432"}, "profile: 'connect' is str, expected a list"),
        ({"write": ["a", 1]}, "profile: 'write' holds int, expected strings"),
        ({"more": [1]}, "profile: 'more' is list, expected an object"),
        ({"more": {"write": "5"}}, "profile: in 'more': 'write' is str, expected an integer"),
        ({"fixtures": {}}, "profile: 'fixtures' is dict, expected a list"),
        ({"fixtures": [None]}, "profile: fixtures[0]: the entry is null, expected an object"),
        (
            {"fixtures": [{"name": "db", "seconds": "0.2"}]},
            "profile: fixtures[0]: 'seconds' is str, expected a number",
        ),
        (
            {"fixtures": [{}, {"phase": "call"}]},
            "profile: fixtures[1]: 'phase' is 'call', expected setup or teardown",
        ),
    ],
)
def test_a_key_of_the_wrong_type_is_a_clear_error(data: Any, message: str) -> None:
    with pytest.raises(ProfileRecordError) as caught:
        ProfileRecord.from_json(data)
    assert str(caught.value) == message


def test_a_profile_the_runner_cannot_read_is_a_note_not_a_crash():
    good = Record("t.py::good", durations={"call": 0.1}, profile=RECORD.to_json())
    bad = Record("t.py::bad", durations={"call": 0.1}, profile={"peak_kb": "a lot"})
    observations = observe([good, bad], ProfileSettings())
    assert list(observations.tests) == ["t.py::good"]
    assert observations.tests["t.py::good"].access == RECORD.access
    (note, *_) = [n for n in observations.notes if "profiles left out" in n]
    assert "t.py::bad (profile: 'peak_kb' is str, expected an integer)" in note
