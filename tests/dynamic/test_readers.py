"""The tests the reversed round runs: those that leaked, failed, or read earlier state."""

from __future__ import annotations

from auditor.dynamic.probes import Change
from auditor.dynamic.runner.readers import leakers_by_word, readers, that_matter

TESTS = [f"tests/test_m.py::test_{index}" for index in range(6)]
RATE = Change("globals", "app.config.RATE", "60", "3")
CWD = Change("cwd", "cwd", "'/suite'", "'/tmp/elsewhere'")


def test_a_test_naming_state_another_test_left_reads_it():
    """Before the test that left it (a victim) or after it (a test that needs it)."""
    leaked = {TESTS[1]: (RATE,)}
    touched = {TESTS[0]: ["RATE"], TESTS[3]: ["RATE", "config"], TESTS[4]: ["MODE"]}
    assert readers(TESTS, leaked, touched) == {TESTS[0], TESTS[3]}


def test_a_leaker_naming_only_its_own_state_is_no_reader():
    leaked = {TESTS[1]: (RATE,)}
    assert readers(TESTS, leaked, {TESTS[1]: ["RATE"]}) == set()
    leaked[TESTS[4]] = (RATE,)
    assert readers(TESTS, leaked, {TESTS[1]: ["RATE"]}) == {TESTS[1]}


def test_a_call_that_reads_state_with_no_name_of_its_own_counts():
    leaked = {TESTS[2]: (CWD,)}
    touched = {TESTS[4]: ["open"], TESTS[5]: ["sorted"]}
    assert readers(TESTS, leaked, touched) == {TESTS[4]}


def test_a_word_keeps_the_first_two_tests_that_left_state_it_names():
    leaked = {TESTS[4]: (RATE,), TESTS[1]: (RATE,), TESTS[5]: (RATE,)}
    assert leakers_by_word(TESTS, leaked)["RATE"] == [TESTS[1], TESTS[4]]


def test_the_tests_that_matter_are_the_leakers_the_failed_and_the_readers():
    leaked = {TESTS[1]: (RATE,)}
    touched = {TESTS[3]: ["RATE"]}
    matter = that_matter(TESTS, leaked, touched, failed={TESTS[0]})
    assert matter == {TESTS[0], TESTS[1], TESTS[3]}
