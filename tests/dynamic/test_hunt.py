"""The hunt's decisions on simulated suites: right pairs, brittle, flaky, cleaners, and cost."""

from __future__ import annotations

import random

import pytest

from auditor.dynamic.driver import Budget
from auditor.dynamic.hunt import Settings, hunt
from auditor.dynamic.result import LeakReport
from tests.dynamic.world import World


def names(count: int) -> list[str]:
    return [f"tests/test_m{index // 5}.py::test_{index}" for index in range(count)]


def pairs_of(report: LeakReport) -> set[tuple[str, str]]:
    return {(pair.polluter, pair.victim) for pair in report.pairs}


def test_finds_each_pair_by_the_state_the_victim_reads_within_budget():
    tests = names(30)
    world = World(tests)
    expected = set()
    for victim, polluter, key in ((2, 20, "app.config.RATE"), (5, 27, "app.main.MODE")):
        world.writes[tests[polluter]] = {key: "polluted"}
        world.reads[tests[victim]] = {key: None}
        expected.add((tests[polluter], tests[victim]))
    report = hunt(world, Settings(seed=1), "/suite")
    assert pairs_of(report) == expected
    assert all(pair.found_by == "state" for pair in report.pairs)
    assert {c.key for pair in report.pairs for c in pair.state} == {
        "app.config.RATE",
        "app.main.MODE",
    }
    assert not report.flaky
    assert not report.brittle
    assert not report.failing
    assert report.executions == world.executions
    assert report.executions <= 3 * len(tests) + 4 * len(expected)


def test_state_the_probes_cannot_see_is_found_by_group_testing():
    tests = names(24)
    world = World(tests, hidden={"app.cache.ENTRY"})
    world.writes[tests[18]] = {"app.cache.ENTRY": "x"}
    world.writes[tests[9]] = {"app.other.VALUE": "y"}  # a leak that breaks nobody
    world.reads[tests[3]] = {"app.cache.ENTRY": None}
    report = hunt(world, Settings(seed=1), "/suite")
    assert pairs_of(report) == {(tests[18], tests[3])}
    assert report.pairs[0].found_by == "bisection"
    assert report.pairs[0].state_text() == ["state not seen by the probes"]


def test_a_test_that_needs_an_earlier_tests_state_is_brittle_with_its_setter():
    tests = names(20)
    world = World(tests)
    world.writes[tests[4]] = {"app.registry.PROVIDERS": "stripe"}
    world.reads[tests[12]] = {"app.registry.PROVIDERS": "stripe"}
    report = hunt(world, Settings(seed=1), "/suite")
    assert [(b.nodeid, b.setters) for b in report.brittle] == [(tests[12], (tests[4],))]
    assert not report.pairs


@pytest.mark.parametrize("rate", [0.25, 0.4])
def test_a_flaky_test_is_never_reported_as_order_dependent(rate):
    tests = names(20)
    for seed in range(60):
        world = World(tests, flaky={tests[7]: rate}, rng=random.Random(seed))
        world.writes[tests[3]] = {"app.config.X": "1"}  # leaks; tests[7] does not read it
        world.writes[tests[15]] = {"app.config.Y": "1"}
        report = hunt(world, Settings(seed=seed), "/suite")
        assert not report.pairs, seed
        assert not report.brittle, seed
        assert [f.nodeid for f in report.flaky] in ([], [tests[7]])


def test_cleaner_between_polluter_and_victim_is_found():
    tests = names(15)
    world = World(tests)
    polluter, cleaner, victim = tests[2], tests[6], tests[11]
    world.writes[polluter] = {"os.environ.FEATURE": "on"}
    world.writes[cleaner] = {"os.environ.FEATURE": None}
    world.reads[victim] = {"os.environ.FEATURE": None}
    report = hunt(world, Settings(seed=1), "/suite")
    assert pairs_of(report) == {(polluter, victim)}
    assert [(c.nodeid, c.polluter, c.victim) for c in report.cleaners] == [
        (cleaner, polluter, victim)
    ]


def test_a_broken_test_is_failing_not_brittle():
    tests = names(10)
    world = World(tests)
    world.reads[tests[4]] = {"app.never.SET": "yes"}
    report = hunt(world, Settings(seed=1), "/suite")
    assert report.failing == [tests[4]]
    assert not report.brittle
    assert not report.pairs


def test_an_exhausted_budget_stops_the_hunt_and_says_so():
    tests = names(20)
    world = World(tests, budget=Budget(executions=45))
    world.writes[tests[15]] = {"app.config.RATE": "2"}
    world.reads[tests[3]] = {"app.config.RATE": None}
    report = hunt(world, Settings(seed=1), "/suite")
    assert any("stopped early" in note for note in report.notes)
    assert report.unresolved == [tests[3]]
    assert report.executions <= 45
