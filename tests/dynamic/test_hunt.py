"""The hunt's decisions on simulated suites: right pairs, brittle, flaky, cleaners, and cost."""

from __future__ import annotations

import random

import pytest

from auditor.dynamic.runner.driver import Budget
from auditor.dynamic.runner.hunt import TRACE_PROFILED_UP_TO, TRACE_ROUNDS_UP_TO, Settings, hunt
from auditor.dynamic.runner.result import LeakReport
from tests.dynamic.world import World, sample_like


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
    # The rounds name what each victim's code read: one pair run each, then three lone
    # passes, which bring the chance that a flaky test told the same story under 1%
    # (a pass where the polluter ran after it, three failures after it, four passes without).
    # The reversed round runs only the two polluters and the two victims: no other test
    # leaked, failed or reads what an earlier test left.
    assert report.executions == 2 * len(tests) + 4 + 5 * len(expected)
    assert report.spent == {"default order": 30, "rounds": 34, "pairs": 5 * len(expected)}
    assert sorted(label for label in world.runs if "alone" in label) == sorted(
        3 * [f"{victim} alone, to confirm" for _, victim in expected]
    )


def test_on_a_long_suite_only_the_shuffled_rounds_are_not_traced():
    """Tracing slows every test before Python 3.12; for a suite whose default order takes
    minutes the lone runs it would save in a shuffled round are not worth it. The targeted
    round is traced all the same: its names choose the few tests the reversed round runs,
    and let the victim be tried with its polluter straight away."""
    tests = names(30)
    world = World(tests, round_seconds=TRACE_ROUNDS_UP_TO * 3)
    world.writes[tests[20]] = {"app.config.RATE": "polluted"}
    world.reads[tests[2]] = {"app.config.RATE": None}
    report = hunt(world, Settings(seed=1, rounds=3), "/suite")
    assert pairs_of(report) == {(tests[20], tests[2])}
    assert world.traced[:4] == [False, True, True, False]
    assert world.runs[4] == f"{tests[20]} then {tests[2]}"
    assert f"{tests[2]} alone" not in world.runs


def hidden_leak() -> tuple[list[str], World]:
    """tests[18] leaves state no probe sees, which tests[3] (before it by default) reads;
    tests[9] leaks state nobody reads."""
    tests = names(24)
    world = World(tests, hidden={"app.cache.ENTRY"})
    world.writes[tests[18]] = {"app.cache.ENTRY": "x"}
    world.writes[tests[9]] = {"app.other.VALUE": "y"}  # a leak that breaks nobody
    world.reads[tests[3]] = {"app.cache.ENTRY": None}
    return tests, world


def test_state_the_probes_cannot_see_is_found_by_group_testing():
    """A shuffled round (seed 1 puts the polluter's module first) shows the failure, and
    group testing finds its polluter."""
    tests, world = hidden_leak()
    report = hunt(world, Settings(seed=1, rounds=3), "/suite")
    assert pairs_of(report) == {(tests[18], tests[3])}
    assert report.pairs[0].found_by == "bisection"
    assert report.pairs[0].state_text() == ["state not seen by the probes"]


def test_the_reversed_round_leaves_out_tests_that_neither_leak_fail_nor_read_state():
    """The reversed round runs tests[9] only (the one test that left state a probe saw):
    the victim of the unseen state is left out with every other test, and is not found
    without a shuffled round. That is what the reversed round's 23 spared executions cost."""
    _, world = hidden_leak()
    report = hunt(world, Settings(seed=1), "/suite")
    assert not report.pairs
    assert report.spent == {"default order": 24, "rounds": 24 + 1}
    assert world.runs[2] == "reversed order of the 1 tests that leaked, failed or read state"


def test_a_suite_where_no_test_leaks_or_fails_has_no_reversed_round():
    """Nothing leaked, failed or reads another test's state: the reversed round would run
    no test, so it does not run (a third round is a shuffle, as asked)."""
    tests = names(12)
    world = World(tests)
    report = hunt(world, Settings(seed=1, rounds=3), "/suite")
    assert world.runs == [
        "default order, with state probes",
        "targeted order",
        "shuffled by module, seed 1",
    ]
    assert report.spent == {"default order": 12, "rounds": 24}


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


def pair_runs(world: World, victim: str) -> list[str]:
    return [label for label in world.runs if label.endswith(f" then {victim}")]


def test_state_many_tests_change_ranks_below_the_rare_state_a_victim_also_reads():
    """A counter twenty tests bump is named by the victim's code too; the rare setting one
    test leaks is tried first and is the pair's state: the counter is noise."""
    tests = names(30)
    world = World(tests)
    for index in range(10, 30):
        world.writes[tests[index]] = {"app.metrics.COUNTER": str(index)}
    world.writes[tests[25]] = {"app.metrics.COUNTER": "25", "app.config.RATE": "2"}
    world.reads[tests[2]] = {"app.config.RATE": None}
    world.names[tests[2]] = {"COUNTER"}
    report = hunt(world, Settings(seed=1), "/suite")
    assert pairs_of(report) == {(tests[25], tests[2])}
    assert pair_runs(world, tests[2]) == [f"{tests[25]} then {tests[2]}"]
    assert [c.key for c in report.pairs[0].state] == ["app.config.RATE"]


def test_state_the_victim_passed_with_in_the_default_order_is_not_a_candidate():  # noqa: TA502 -- two different worlds; a 12-value parametrization reads worse
    """tests[3] left MODE set before the victim ran, and the victim passed: MODE is not why
    it fails elsewhere, though its code names it."""
    tests = names(30)
    world = World(tests)
    world.writes[tests[3]] = {"app.config.MODE": "x"}
    world.writes[tests[20]] = {"app.config.RATE": "2"}
    world.reads[tests[10]] = {"app.config.RATE": None}
    world.names[tests[10]] = {"MODE"}
    report = hunt(world, Settings(seed=1), "/suite")
    assert pairs_of(report) == {(tests[20], tests[10])}
    assert pair_runs(world, tests[10]) == [f"{tests[20]} then {tests[10]}"]


def test_equally_strong_candidates_are_tried_nearest_the_victim_in_the_default_order_first():
    """Tests that share state sit together: the polluter from the victim's own module comes
    before an equally matching test far away, though that one ran nearer in the round."""
    tests = names(30)
    world = World(tests)
    world.writes[tests[3]] = {"app.config.RATE": "2"}
    world.writes[tests[25]] = {"app.config.LIMIT": "9"}
    world.reads[tests[1]] = {"app.config.RATE": None}
    world.names[tests[1]] = {"LIMIT"}
    report = hunt(world, Settings(seed=1), "/suite")
    assert pairs_of(report) == {(tests[3], tests[1])}
    assert pair_runs(world, tests[1]) == [f"{tests[3]} then {tests[1]}"]


@pytest.mark.parametrize("rate", [0.25, 0.4])
def test_on_a_suite_shaped_like_the_leak_sample_the_cost_stays_within_the_bound(rate):
    """44 tests, 16 pairs (one with a cleaner), a brittle test and its setter, a flaky test:
    everything found in every seed, within 3 x 44 + 6 per pair or brittle test, besides
    what the flaky test cost (at most two more passes over the suite)."""
    for seed in range(60):
        world = sample_like(random.Random(seed), rate)
        report = hunt(world, Settings(seed=seed), "/suite")
        assert len(report.pairs) == 16, seed
        assert [b.nodeid.rsplit("::", 1)[1] for b in report.brittle] == [
            "test_refund_through_stripe"
        ], seed
        assert len(report.cleaners) == 1, seed
        assert {f.nodeid.rsplit("::", 1)[1] for f in report.flaky} <= {
            "test_backoff_stays_within_budget"
        }, seed
        assert not report.failing, seed
        # Rarely, a flaky test fails after the same tests often enough to look like it
        # needs them all together: then it is unresolved, never anyone's victim.
        assert {nodeid.rsplit("::", 1)[1] for nodeid in report.unresolved} <= {
            "test_backoff_stays_within_budget"
        }, seed
        assert sum(report.spent.values()) == report.executions
        # A pair run and three lone passes per victim (see the evidence module); one more
        # when two tests leave the state it reads (the cleaner's pair).
        # The reversed round leaves out the eight tests that neither leak, fail nor read
        # state (and the flaky one, when it passed both times before).
        assert report.spent["default order"] + report.spent["rounds"] <= 2 * 44 + 36, seed
        assert report.spent["pairs"] <= 5 * 16 + 4, seed
        flaky = report.spent.get("flaky tests", 0) + report.spent.get("unresolved", 0)
        assert flaky <= 2 * 44, seed
        assert report.executions - flaky <= 3 * 44 + 6 * 17, seed


def test_a_brittle_test_is_not_called_the_victim_of_a_leaker_whose_state_it_names():
    """tests[9] needs tests[2]'s setting (it passes in the default order only thanks to it)
    and its code also names MODE, which tests[20] leaves changed: the pair [tests[20],
    tests[9]] fails, but so does tests[9] alone; it is brittle, not tests[20]'s victim."""
    tests = names(30)
    world = World(tests)
    world.writes[tests[2]] = {"app.providers.STRIPE": "on"}
    world.reads[tests[9]] = {"app.providers.STRIPE": "on"}
    world.writes[tests[20]] = {"app.config.MODE": "beta"}
    world.names[tests[9]] = {"MODE"}
    report = hunt(world, Settings(seed=1), "/suite")
    assert pairs_of(report) == set()
    assert [(b.nodeid, b.setters) for b in report.brittle] == [(tests[9], (tests[2],))]


def test_a_victim_reading_the_time_zone_is_tried_with_what_it_used_where_it_failed():
    """tests[4] reads the time zone only through ``tzname``; run alone, the session's
    fixtures set up for it name the audit table three other tests fill. The pair with the
    test that changed the time zone is still tried first, and no search is needed."""
    tests = names(30)
    world = World(tests)
    world.probes["time.tzname"] = "timezone"
    world.writes[tests[20]] = {"time.tzname": "JST"}
    world.reads[tests[4]] = {"time.tzname": None}
    for index in (9, 14, 25):
        world.writes[tests[index]] = {f"app.audit.AUDIT_ROWS_{index}": "1"}
    world.setup_names[tests[4]] = {f"AUDIT_ROWS_{index}" for index in (9, 14, 25)}
    report = hunt(world, Settings(seed=1), "/suite")
    assert pairs_of(report) == {(tests[20], tests[4])}
    assert not any("bisecting" in label for label in world.runs)
    assert pair_runs(world, tests[4])[0] == f"{tests[20]} then {tests[4]}"


def test_a_pair_found_by_search_is_explained_by_its_rare_state_not_the_noise():
    """tests[6] fails after tests[22], which leaves state tests[6]'s code does not name
    and bumps a counter every third test bumps (named in the failure text): the pair's
    state is the rare change, not the counter."""
    tests = names(30)
    world = World(tests)
    for index in range(0, 30, 3):
        world.writes[tests[index]] = {"app.stats.COUNTS": str(index)}
    world.writes[tests[22]] = {"app.stats.COUNTS": "22", "app.vendor.FAST_PATH": "on"}
    world.reads[tests[6]] = {"app.vendor.FAST_PATH": None}
    world.names[tests[6]] = {"COUNTS"}
    world.unnamed_reads = {tests[6]}
    report = hunt(world, Settings(seed=1), "/suite")
    assert pairs_of(report) == {(tests[22], tests[6])}
    assert [c.key for c in report.pairs[0].state] == ["app.vendor.FAST_PATH"]


def test_on_a_long_suite_a_time_zone_victim_is_tried_with_its_reader_after_the_noise():
    """As above, but the rounds are too long to trace: only the lone run's names are known,
    and the three audit tables rank first. The time zone's test is still tried as a pair
    (2 executions) instead of a search over everything before the victim."""
    tests = names(30)
    world = World(tests, round_seconds=TRACE_ROUNDS_UP_TO * 3)
    world.probes["time.tzname"] = "timezone"
    world.writes[tests[20]] = {"time.tzname": "JST"}
    world.reads[tests[4]] = {"time.tzname": None}
    for index in (9, 14, 25):
        world.writes[tests[index]] = {f"app.audit.AUDIT_ROWS_{index}": "1"}
    world.setup_names[tests[4]] = {f"AUDIT_ROWS_{index}" for index in (9, 14, 25)}
    report = hunt(world, Settings(seed=1), "/suite")
    assert pairs_of(report) == {(tests[20], tests[4])}
    assert report.pairs[0].found_by == "state"
    assert not any("bisecting" in label for label in world.runs)


def test_state_only_its_polluter_left_is_confirmed_with_one_story_whatever_else_leaks():
    """On a long suite the targeted round is still traced: the victim's code names calls
    that read files (``exists``), and ten other tests left files behind, each a story
    through calls it could have told. The story of the state its code names is one of
    one (:data:`NAMED_SHARE` of the 1%): a pair run and three lone passes, not the runs
    ten stories would ask for."""
    tests = names(40)
    world = World(tests, round_seconds=TRACE_ROUNDS_UP_TO * 3)
    world.writes[tests[30]] = {"app.config.RATE": "polluted"}
    world.reads[tests[2]] = {"app.config.RATE": None}
    world.names[tests[2]] = {"exists"}
    for index in range(10, 20):
        key = f"file var/out{index}.txt"
        world.writes[tests[index]] = {key: "written"}
        world.probes[key] = "files"
    report = hunt(world, Settings(seed=1), "/suite")
    assert pairs_of(report) == {(tests[30], tests[2])}
    # The reversed round: the eleven leakers and the victim.
    assert report.spent == {"default order": 40, "rounds": 40 + 12, "pairs": 5}
    assert world.runs[3:] == [
        f"{tests[30]} then {tests[2]}",
        f"{tests[2]} alone, to confirm",
        f"{tests[2]} alone, to confirm",
        f"{tests[2]} alone, to confirm",
    ]


def test_noise_every_test_leaves_does_not_make_every_test_a_leaker_of_the_targeted_order():
    """Every test bumps a statistics counter. The targeted order still puts the one test
    that left rare state first: its victim (which runs before it by default) fails there.
    With the counter counted, every test was a leaker and that order was the default one."""
    tests = names(30)
    world = World(tests)
    for index, nodeid in enumerate(tests):
        world.writes[nodeid] = {"app.stats.COUNTS": str(index)}
    world.writes[tests[25]] = {"app.stats.COUNTS": "25", "app.config.RATE": "2"}
    world.reads[tests[2]] = {"app.config.RATE": None}
    hunt(world, Settings(seed=1, rounds=1), "/suite")
    assert world.runs[1] == "targeted order"
    assert world.runs[2] == f"{tests[25]} then {tests[2]}"


def file_leakers_and_a_reader(read: int) -> tuple[list[str], World]:
    """130 tests: 40-51 each leave a file, 60-119 a setting; test 3 reads the file test
    ``read`` left only through ``exists`` (no name of its own)."""
    tests = names(130)
    world = World(tests)
    for index in range(60, 120):
        world.writes[tests[index]] = {f"app.settings.OPTION_{index}": "on"}
    for index in range(40, 52):
        key = f"file var/out{index}.txt"
        world.writes[tests[index]] = {key: "written"}
        world.probes[key] = "files"
    world.reads[tests[3]] = {f"file var/out{read}.txt": None}
    world.unnamed_reads = {tests[3]}
    world.names[tests[3]] = {"exists"}
    return tests, world


def test_a_victim_of_state_read_only_through_calls_is_confirmed_rather_than_searched_for():
    """Twelve tests leave files; the victim reads one of them only through ``exists`` (no
    name of its own), so its story is one of twelve and needs a long record. Sixty other
    tests leave settings it does not read, and all of them run before it in the targeted
    order. Confirming the story takes more than :data:`CONFIRM_RUNS` executions, far fewer
    than the search over the seventy tests before it that it would otherwise fall to."""
    tests, world = file_leakers_and_a_reader(read=40)
    report = hunt(world, Settings(seed=1), "/suite")
    assert pairs_of(report) == {(tests[40], tests[3])}
    assert report.pairs[0].found_by == "state"
    assert not any("bisecting" in label for label in world.runs)
    assert 8 < report.spent["pairs"] < 40


def test_more_stories_through_calls_are_tried_when_the_search_they_save_is_long():
    """The same twelve file leakers, but the victim reads the file of the one tried last
    (farthest from it in the default order): beyond the first three stories through calls.
    A search over the seventy tests before it would cost about 280 executions, so up to an
    eighth of that goes to pair runs first, and the twelfth story is still reached."""
    tests, world = file_leakers_and_a_reader(read=51)
    report = hunt(world, Settings(seed=1), "/suite")
    assert pairs_of(report) == {(tests[51], tests[3])}
    assert report.pairs[0].found_by == "state"
    assert not any("bisecting" in label for label in world.runs)


def test_state_the_victim_names_is_tried_though_three_stronger_matches_rank_first():
    """On a long suite the victim runs alone first; four tests near it left state its code
    names as well (tables its code also touches), nearer to it in the default order than
    its polluter. Its polluter's state, named too, ranks fifth: it is still tried as a pair
    (up to an eighth of the search it saves), not found by a search over the prefix."""
    tests = names(60)
    world = World(tests, round_seconds=TRACE_ROUNDS_UP_TO * 3)
    for index in (11, 12, 13, 14):
        world.writes[tests[index]] = {f"app.db.ROWS_{index}": "1"}
    world.names[tests[10]] = {f"ROWS_{index}" for index in (11, 12, 13, 14)}
    world.writes[tests[50]] = {"app.ext.FAST_PATH": "on"}
    world.reads[tests[10]] = {"app.ext.FAST_PATH": None}
    report = hunt(world, Settings(seed=1), "/suite")
    assert pairs_of(report) == {(tests[50], tests[10])}
    assert report.pairs[0].found_by == "state"
    assert "search" not in report.spent
    assert pair_runs(world, tests[10])[:5] == [
        f"{tests[index]} then {tests[10]}" for index in (11, 12, 13, 14, 50)
    ]


def test_a_search_starts_from_the_tests_that_left_rare_state():
    """Every test bumps a counter, so every test is a leaker; the polluter's state is not
    seen by the probes. The search starts from the few tests that left rare state, then
    the whole failing order: the same order is never run twice in a row."""
    tests = names(40)
    world = World(tests, hidden={"app.cache.ENTRY"})
    for index, nodeid in enumerate(tests):
        world.writes[nodeid] = {"app.stats.COUNTS": str(index)}
    world.writes[tests[30]] = {"app.stats.COUNTS": "30", "app.cache.ENTRY": "x"}
    world.writes[tests[25]] = {"app.stats.COUNTS": "25", "app.config.RATE": "2"}
    world.reads[tests[3]] = {"app.cache.ENTRY": None}
    report = hunt(world, Settings(seed=1, rounds=3), "/suite")  # a shuffle shows it
    assert pairs_of(report) == {(tests[30], tests[3])}
    assert report.pairs[0].found_by == "bisection"
    first = world.runs.index(f"leakers then {tests[3]}")
    assert world.runs[first + 1] == f"the failing order again up to {tests[3]}"
    searched = [label for label in world.runs if "bisecting" in label]
    assert len(searched) <= 2 * 6


def test_when_every_test_before_it_left_rare_state_the_failing_order_runs_once_more_only():
    """Every test before the victim left rare state: the leakers are the failing order
    itself, run once more; the victim, flaky, failed in the default order only, passes
    alone and there, and is flaky, at the cost of one run of its prefix, not two."""
    tests = names(20)
    world = World(tests, flaky={tests[19]: 0.1}, rng=random.Random(1))
    for index, nodeid in enumerate(tests[:19]):
        world.writes[nodeid] = {f"app.config.OPTION_{index}": "on"}
    report = hunt(world, Settings(seed=1), "/suite")
    assert not report.pairs
    assert [flaky.nodeid for flaky in report.flaky] == [tests[19]]
    assert world.runs[-1] == f"leakers then {tests[19]}"
    assert report.spent["flaky tests"] == 9 + 20


def test_the_rounds_globals_probe_watches_only_the_state_the_default_order_saw_change():
    """Reading every module at every snapshot cost the rounds as much as the default order;
    the rounds read the module state tests changed there, and the pairs are found alike."""
    tests = names(30)
    world = World(tests, probes={"APP_MODE": "environ"})
    world.writes[tests[20]] = {"app.config.RATE": "polluted"}
    world.reads[tests[2]] = {"app.config.RATE": None}
    world.writes[tests[25]] = {"APP_MODE": "beta"}
    world.writes[tests[12]] = {"app.main.MODE": "x"}
    report = hunt(world, Settings(seed=1), "/suite")
    assert pairs_of(report) == {(tests[20], tests[2])}
    assert report.pairs[0].found_by == "state"
    watched = ["app.config.RATE", "app.main.MODE"]
    assert world.watched[:3] == [None, watched, watched]


@pytest.mark.parametrize(("monitoring", "traced"), [(True, True), (None, True), (False, False)])
def test_without_sys_monitoring_only_a_short_default_order_has_its_rounds_traced(
    monitoring, traced
):
    """Before Python 3.12 the trace is a profile function that slows every test by about
    half: a default order of a few seconds (python-dateutil's, once probed cheaply) no
    longer has its shuffled rounds traced there, while with ``sys.monitoring`` (or nothing
    said) the limit stays ``TRACE_ROUNDS_UP_TO``. The targeted round is always traced, and
    the reversed one (the few tests that matter) asks for its failed tests' names."""
    tests = names(30)
    world = World(tests, round_seconds=TRACE_PROFILED_UP_TO * 2, monitoring=monitoring)
    world.writes[tests[20]] = {"app.config.RATE": "polluted"}
    world.reads[tests[2]] = {"app.config.RATE": None}
    report = hunt(world, Settings(seed=1, rounds=4), "/suite")
    assert pairs_of(report) == {(tests[20], tests[2])}
    assert TRACE_PROFILED_UP_TO * 2 < TRACE_ROUNDS_UP_TO
    assert world.traced[1:5] == [True, True, traced, traced]
