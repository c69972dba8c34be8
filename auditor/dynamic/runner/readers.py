"""Which tests the reversed round needs: those that leaked, failed, or read earlier state.

The reversed round runs each test after the tests that follow it in the default order and
before those that precede it. That tells something about a test only when it reads state
some other test leaves: a victim fails again after its polluter (the second failure its
story is confirmed with), a test that needs an earlier test's state (a brittle test) fails
without it, and a leaker that reads a later leaker's state fails after it. The targeted
round records the names every test's code used (``--ta-touch``), so those tests are known:

- the tests that left rare state in the default order (every polluter and state-setter);
- the tests that failed in a run so far (every victim the targeted round exposed);
- the tests whose code names rare state another test left (by a specific word, or through
  a call that reads a kind of state with no name of its own: ``open`` for the working
  directory): a brittle test is one of them (the state is its setter's, before it by
  default), and so is a victim the targeted round did not expose (another leak hid its
  polluter's there: a test that changed the working directory before the polluter wrote
  a file into it).

Every other test neither leaks, nor failed, nor reads what an earlier test left: in the
reversed round it would run as it did everywhere else. Leaving it out is what pays for the
confirmations: the whole-suite runs cost ``2n`` plus the tests that matter instead of
``3n``. State the probes do not see at all is the price: a victim of it whose polluter
runs after it is found by the shuffled rounds (``--rounds 3`` or more), not by this one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from auditor.dynamic.probes import Change
from auditor.dynamic.runner.matching import READER, change_words, words_of_test


def leakers_by_word(
    tests: Sequence[str], leaked: Mapping[str, Sequence[Change]]
) -> dict[str, list[str]]:
    """Each word that names leaked state (a specific word or a reader call), with the
    first two tests of ``tests`` that left state it names (two tell whether another test
    than a given one did)."""
    found: dict[str, list[str]] = {}
    for nodeid in tests:
        for change in leaked.get(nodeid, ()):
            for word, weight in change_words(change).items():
                if weight < READER:
                    continue  # a module or a value word alone names no state
                leakers = found.setdefault(word, [])
                if len(leakers) < 2 and nodeid not in leakers:
                    leakers.append(nodeid)
    return found


def readers(
    tests: Sequence[str],
    leaked: Mapping[str, Sequence[Change]],
    touched: Mapping[str, Sequence[str]],
) -> set[str]:
    """The tests of ``tests`` whose code (``touched``: the names it used) names state that
    ``leaked`` (rare changes per test) says another test left."""
    by_word = leakers_by_word(tests, leaked)
    found: set[str] = set()
    for nodeid in tests:
        words = words_of_test(touched.get(nodeid, ()), "")
        if any(leaker != nodeid for word in words for leaker in by_word.get(word, ())):
            found.add(nodeid)
    return found


def that_matter(
    tests: Sequence[str],
    leaked: Mapping[str, Sequence[Change]],
    touched: Mapping[str, Sequence[str]],
    failed: set[str],
) -> set[str]:
    """The tests the reversed round runs (see the module docstring)."""
    return (
        {nodeid for nodeid in tests if leaked.get(nodeid)}
        | failed
        | readers(tests, leaked, touched)
    )
