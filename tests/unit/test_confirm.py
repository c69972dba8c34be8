"""What a profiled run makes of the static tiers (`scan --run`), on the profile sample's
static model and hand-written records: corrections upwards on outside access, downwards
only when a database test's run did in-memory work alone, notes otherwise."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from auditor.analysis.confirm import NOT_RUN, Confirmed, base_nodeid, confirm
from auditor.analysis.graph import FixtureGraph
from auditor.analysis.resolution import Resolution
from auditor.analysis.tier_model import Evidence, Level, Tiers
from auditor.analysis.tier_signals import SignalSet
from auditor.config import ProfileSettings, load_config
from auditor.dynamic.record import TestRecord as Record
from auditor.dynamic.runner.observations import HEAVY, SLOW, observe
from auditor.dynamic.runner.result import LeakReport
from auditor.model.build import BuildOptions
from auditor.model.suite import Suite
from auditor.pipeline import analyse
from auditor.report.contents import build_report
from auditor.report.json_report import report_dict
from auditor.report.leaks_report import leaks_dict, render_leaks_terminal
from auditor.report.markdown import render_markdown
from auditor.report.terminal import render_terminal
from tests.e2e.helpers import leaks_schema_errors, schema_errors

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "profile"
ECHO = "tests/unit/test_echo.py::test_echo_round_trip"
PRICE = "tests/unit/test_pricing.py::test_price"
CATALOG = "tests/unit/test_pricing.py::test_price_with_catalog"
MEMORY = "tests/unit/test_store.py::test_store_in_memory"
MOCKED = "tests/integration/test_gateway.py::test_gateway_is_mocked"
SETTINGS = ProfileSettings(slow=0.3, slow_fixture=0.2, heavy_kb=64 * 1024, statements=20)
Static = tuple[Suite, Resolution, Tiers, SignalSet]


@pytest.fixture(scope="module")
def static(tmp_path_factory: pytest.TempPathFactory) -> Static:
    config = load_config([SAMPLE], invocation_dir=SAMPLE)
    cache = tmp_path_factory.mktemp("cache")
    analysis = analyse(config, [SAMPLE], invocation_dir=SAMPLE, build=BuildOptions(cache_dir=cache))
    return analysis.suite, analysis.resolution, analysis.tiers, analysis.signals


def record(nodeid: str, seconds: float = 0.01, outcome: str = "passed", **profile: Any) -> Record:
    return Record(
        nodeid,
        outcome,
        durations={"setup": 0.0, "call": seconds, "teardown": 0.0},
        profile={"peak_kb": 100, **profile},
    )


def confirmed(static: Static, *records: Record, settings: ProfileSettings = SETTINGS) -> Confirmed:
    suite, resolution, tiers, signals = static
    return confirm(suite, resolution, tiers, observe(records, settings), signals)


def test_a_unit_test_that_connects_is_observed_integration_with_the_run_first(static):
    result = confirmed(static, record(ECHO, connect=["127.0.0.1:5432"]), record(PRICE))
    echo = result.verdicts[ECHO]
    assert (echo.static_tier, echo.tier) == ("unit", "integration")
    assert echo.observed == ("connected to 127.0.0.1:5432",)
    assert echo.disagreements == (
        "static says unit, the run says integration: connected to 127.0.0.1:5432",
    )
    first = result.tiers.tests[ECHO].evidence[0]
    assert (first.level, first.text) == (Level.RUN, "observed: connected to 127.0.0.1:5432")
    assert str(first) == "observed: connected to 127.0.0.1:5432 (tests/unit/test_echo.py:4)"
    assert result.tiers.tests[PRICE].tier == "unit"
    assert result.verdicts[PRICE].disagreements == ()
    assert result.corrected == 1


def test_sql_to_an_in_memory_sqlite_is_a_note_not_a_tier(static):
    result = confirmed(static, record(MEMORY, memory_statements=3))
    memory = result.verdicts[MEMORY]
    assert memory.tier == "unit"
    assert memory.observed == ("issued 3 SQL statements to an in-memory SQLite database",)
    assert memory.disagreements == ()


def test_an_integration_test_that_reached_nothing_is_a_note(static):
    result = confirmed(static, record(MOCKED))
    mocked = result.verdicts[MOCKED]
    assert mocked.tier == "integration"
    assert mocked.disagreements[0].startswith(
        "static says integration, but the run saw no outside access"
    )
    skipped = confirmed(static, record(MOCKED, outcome="skipped"))
    assert skipped.verdicts[MOCKED].disagreements == ()


def test_what_a_session_fixture_reached_counts_for_every_test_using_it(static):
    setup = {
        "name": "catalog",
        "scope": "session",
        "where": "tests/conftest.py:7",
        "phase": "setup",
        "seconds": 0.25,
        "connect": ["127.0.0.1:6379"],
    }
    result = confirmed(static, record(PRICE, fixtures=[setup]), record(CATALOG))
    catalog = result.verdicts[CATALOG]
    assert catalog.tier == "integration"
    assert catalog.observed == (
        "fixture `catalog` (tests/conftest.py:7) connected to 127.0.0.1:6379",
    )
    assert result.verdicts[PRICE].tier == "unit"  # it ran during its setup, but does not use it


def test_wider_fixtures_time_is_the_fixtures_and_slow_is_a_note_unless_configured(static):
    setup = {"name": "catalog", "scope": "session", "where": "tests/conftest.py:7",
             "phase": "setup", "seconds": 0.45}  # fmt: skip
    records = (record(CATALOG, seconds=0.5, fixtures=[setup]), record(ECHO, seconds=0.4))
    observations = observe(records, SETTINGS)
    assert observations.tests[CATALOG].seconds == pytest.approx(0.05)
    assert [t.nodeid for t in observations.flagged(SLOW)] == [ECHO]
    assert [f.name for f in observations.slow_fixtures()] == ["catalog"]
    result = confirmed(static, *records)
    assert result.verdicts[ECHO].tier == "unit"
    assert result.verdicts[ECHO].disagreements == (
        "static says unit, but it took 0.40 s (slow: 0.3 s or more)",
    )
    moved = confirmed(static, *records, settings=replace(SETTINGS, slow_tier="performance"))
    assert moved.verdicts[ECHO].tier == "performance"


def test_heavy_and_busy_tests_are_flagged(static):
    records = (record(ECHO, peak_kb=200 * 1024), record(PRICE, statements=25))
    observations = observe(records, SETTINGS)
    assert HEAVY in observations.tests[ECHO].flags
    assert [t.nodeid for t in observations.flagged("statements")] == [PRICE]
    result = confirmed(static, *records)
    assert "raised its peak memory by 200 MB" in result.verdicts[ECHO].disagreements[0]
    assert result.verdicts[PRICE].tier == "integration"  # SQL statements: a database


def test_parametrized_cases_fold_into_their_test_and_tests_not_run_say_so(static):
    result = confirmed(
        static, record(f"{PRICE}[1]"), record(f"{PRICE}[2]", write=["out.txt"], seconds=0.5)
    )
    price = result.verdicts[PRICE]
    assert price.tier == "integration"
    assert price.seconds == 0.5
    assert result.verdicts[ECHO].outcome == NOT_RUN
    assert base_nodeid("t.py::TestA::test_x[a::b-1]") == "t.py::TestA::test_x"


# -- lowered: a database that lived in memory --------------------------------------------

CONNECTS = Evidence(
    "integration", Level.REACH, "connects to a database (`sqlite3.connect`)",
    "tests/unit/test_store.py", 19, "databases.dbapi-connect", "sqlite3.connect",
)  # fmt: skip
ONLY_MEMORY = (
    "only in-memory work (issued 3 SQL statements to an in-memory SQLite database): "
    "no connection, subprocess, database file or write outside the temporary folders"
)


def called(static: Static, nodeid: str, *evidence: Evidence) -> Static:
    """The static model with ``nodeid`` put in the tier of its first evidence."""
    suite, resolution, tiers, signals = static
    test = replace(tiers.tests[nodeid], tier=evidence[0].tier, evidence=evidence)
    return suite, resolution, Tiers(tiers.names, {**tiers.tests, nodeid: test}), signals


def test_a_database_test_whose_run_did_in_memory_work_only_is_lowered(static):
    result = confirmed(called(static, MEMORY, CONNECTS), record(MEMORY, memory_statements=3))
    memory = result.verdicts[MEMORY]
    assert (memory.static_tier, memory.tier) == ("integration", "unit")
    assert memory.disagreements == (f"static says integration, the run says unit: {ONLY_MEMORY}",)
    first, second = result.tiers.tests[MEMORY].evidence
    assert (first.tier, first.level, first.text) == ("unit", Level.RUN, f"observed: {ONLY_MEMORY}")
    assert second == CONNECTS  # the static evidence is kept, after the run's
    assert result.corrected == 1


def test_in_memory_work_of_a_wider_fixture_in_the_closure_counts(static):
    setup = {"name": "catalog", "scope": "session", "where": "tests/conftest.py:7",
             "phase": "setup", "seconds": 0.01, "memory_statements": 2}  # fmt: skip
    result = confirmed(called(static, CATALOG, CONNECTS), record(PRICE, fixtures=[setup]),
                       record(CATALOG))  # fmt: skip
    catalog = result.verdicts[CATALOG]
    assert catalog.tier == "unit"
    assert catalog.observed == (
        "fixture `catalog` (tests/conftest.py:7) issued 2 SQL statements to an in-memory "
        "SQLite database",
    )
    assert "(fixture `catalog` (tests/conftest.py:7) issued 2 SQL statements" in (
        result.tiers.tests[CATALOG].evidence[0].text
    )


@pytest.mark.parametrize(
    ("evidence", "outcome", "profile"),
    [
        pytest.param((CONNECTS,), "failed", {"memory_statements": 3}, id="failed"),
        pytest.param((CONNECTS,), "passed", {}, id="no-sql-seen"),
        pytest.param(
            (CONNECTS,),
            "passed",
            {"memory_statements": 3, "write": ["out/x.txt"]},
            id="wrote-a-file",
        ),
        pytest.param(
            (replace(CONNECTS, level=Level.FOLDER, signal="conventions.folders"),),
            "passed",
            {"memory_statements": 3},
            id="folder-says-so",
        ),
        pytest.param(
            (CONNECTS, replace(CONNECTS, signal="frameworks.in-process-client", text="client")),
            "passed",
            {"memory_statements": 3},
            id="also-a-client",
        ),
        pytest.param(
            (
                replace(
                    CONNECTS,
                    text="connects to a database (`psycopg2.connect`)",
                    subject="psycopg2.connect",
                ),
            ),
            "passed",
            {"memory_statements": 3},
            id="driver-in-C",
        ),
    ],
)
def test_the_static_tier_stays_unless_the_run_shows_in_memory_work_alone(
    static, evidence, outcome, profile
):
    result = confirmed(
        called(static, MEMORY, *evidence), record(MEMORY, outcome=outcome, **profile)
    )
    assert result.verdicts[MEMORY].tier == "integration"
    assert not any("the run says unit" in d for d in result.verdicts[MEMORY].disagreements)


def test_never_lowered_where_in_memory_databases_count_as_integration(static):
    suite, resolution, tiers, signals = called(static, MEMORY, CONNECTS)
    heavier = replace(signals, in_memory_tier="integration")
    result = confirm(
        suite, resolution, tiers, observe([record(MEMORY, memory_statements=3)], SETTINGS), heavier
    )
    memory = result.verdicts[MEMORY]
    assert memory.tier == "integration"
    assert memory.disagreements == ()  # in-memory SQL is evidence of that tier here


# -- rendered ---------------------------------------------------------------------------


def test_scan_report_with_the_run_in_every_format(static):
    suite, resolution, tiers, _ = static
    slow = "tests/unit/test_pricing.py::test_bulk_discount_is_slow"
    setup = {"name": "catalog", "scope": "session", "where": "tests/conftest.py:7",
             "phase": "setup", "seconds": 0.25}  # fmt: skip
    result = confirmed(
        static,
        record(ECHO, connect=["127.0.0.1:5432"]),
        record(MOCKED),
        record(slow, seconds=0.6),
        record(CATALOG, fixtures=[setup]),
    )
    report = build_report(suite, resolution, FixtureGraph(suite, resolution), [], tiers, (), result)
    data = report_dict(report)
    assert schema_errors(data) == []
    echo = next(t for t in data["tests"] if t["nodeid"] == ECHO)
    assert (echo["tier"], echo["static_tier"], echo["run"]["outcome"]) == (
        "integration", "unit", "passed"
    )  # fmt: skip
    assert data["run"]["profile"]["slow_fixtures"][0]["where"] == "tests/conftest.py:7"
    console = Console(file=io.StringIO(), width=240)
    render_terminal(report, console)
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert "static says unit, the run says integration: connected to 127.0.0.1:5432" in text
    assert "Slow fixtures (1)" in text
    markdown = render_markdown(report)
    assert f"| `{slow}` | 0.60 |" in markdown


def test_leaks_report_carries_the_profile_and_its_schema_checks_it(static):
    setup = {"name": "catalog", "scope": "session", "where": "tests/conftest.py:7",
             "phase": "setup", "seconds": 0.25, "statements": 4}  # fmt: skip
    records = (record(ECHO, connect=["127.0.0.1:5432"], fixtures=[setup]), record(PRICE))
    report = LeakReport(rootdir=str(SAMPLE), seed=1, rerun="test-auditor leaks --seed 1")
    report.profile = observe(records, SETTINGS)
    data = leaks_dict(report)
    assert leaks_schema_errors(data) == []
    profile = data["profile"]
    assert profile["external"] == [
        {"nodeid": ECHO, "outcome": "passed", "connect": ["127.0.0.1:5432"]}
    ]
    assert profile["external_fixtures"][0]["statements"] == 4
    for broken in (
        {k: v for k, v in profile.items() if k != "thresholds"},
        {**profile, "slow": [{"nodeid": ECHO}]},
        {**profile, "external": [{"nodeid": ECHO, "connect": "127.0.0.1:5432"}]},
    ):
        assert leaks_schema_errors({**data, "profile": broken}) != []
    console = Console(file=io.StringIO(), width=240)
    render_leaks_terminal(report, console)
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert "Reached outside the process (2)" in text
    assert "fixture catalog (session, tests/conftest.py:7)" in text
