"""How likely a flaky test would have told the same story: the bound behind every confirmation.

A story about a test predicts, for each of its executions the hunt has seen, whether it
fails: a victim fails when its polluter ran before it in the same process (with no test in
between that undid the polluter's state) and passes otherwise; a brittle test fails unless
its state-setters ran before it. A test that fails at random at some rate ``q``,
independently from one execution to the next and whatever ran before it, matches a
predicted failure with probability ``q`` and a predicted pass with ``1 - q``.
:meth:`Tally.chance` is the largest, over every rate ``q``, of the probability that such a
test matches at least as many predicted failures and at least as many predicted passes as
the test did. A story of 3 failures and 4 passes, all as predicted, has a chance of 0.84%
(at ``q = 3/7``); at ``q = 1/2`` it would be 1/128.

The hunt reports a story only when that chance, times the number of stories it tried for
the same test (a union bound over the stories it could have told), is at most
:data:`CONFIDENCE`. Every execution counts, the one that made the test a suspect included:
the chance is that of the whole record, so choosing tests by their failures biases nothing.
With the three whole-suite runs agreeing (a pass where the polluter ran after the victim,
two failures where it ran before), a pair run and three lone passes confirm a victim.

Why seven executions, and what they cost. For ``f`` failures and ``p`` passes all as
predicted, the chance is ``max over q of q**f * (1 - q)**p``, reached at ``q = f / (f + p)``;
for a given number of executions it is smallest when ``f`` and ``p`` are about equal. Six
executions never do (``f = p = 3``: ``1/64``, 1.6%); seven do at ``f = 3, p = 4`` (or
``4, 3``): ``(3/7)**3 * (4/7)**4`` = 0.84%. Lopsided records need more: two failures ask
for seven passes (``f = 2, p = 6`` is still 1.1%). The rounds give a victim three of the
seven for nothing (the default order's pass, the targeted and the reversed round's
failures), so four more are the least that confirm it: a pair run (a failure, two
executions: the polluter's and the victim's) and three lone passes (one execution each),
five executions in all; a fourth lone pass instead of the pair run would leave
``f = 2, p = 5`` (1.5%). The hunt's whole cost is therefore about ``n`` for the default
order, ``n`` for the targeted round, the reversed round's tests that matter
(:mod:`~auditor.dynamic.runner.readers`: those that leaked, failed, or read state an
earlier test left; a few per pair) and five per pair: within ``3n + 4`` per pair as long
as the reversed round leaves out more tests than there are pairs, plus what brittle
tests, cleaners and flaky tests cost.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from auditor.dynamic.runner.driver import Run

CONFIDENCE = 0.01
"""The most a test failing at random, at any rate, may be confirmed with (1%)."""

RATES = tuple(step / 100 for step in range(1, 100))
"""The failure rates the chance is the largest over (1% to 99%)."""

Prediction = Callable[[Sequence[str]], bool]
"""Given the node ids that ran before an execution in its process: does the story say it fails?"""


@dataclass(frozen=True)
class Tally:
    """How many of a test's executions a story predicted to fail and to pass, and how many
    of each went as predicted."""

    failures: int = 0
    failed: int = 0
    passes: int = 0
    passed: int = 0

    def chance(self) -> float:
        """The largest, over failure rates, of the chance that a flaky test does as well."""
        return max(
            _at_least(self.failures, self.failed, rate)
            * _at_least(self.passes, self.passed, 1 - rate)
            for rate in RATES
        )

    def confirmed(self, stories: float = 1) -> bool:
        """At most :data:`CONFIDENCE` for one of ``stories`` tried to come from a coin."""
        return self.chance() * max(1, stories) <= CONFIDENCE

    def with_one_more(self, *, failure: bool) -> Tally:
        """This tally after one more execution that went as predicted."""
        if failure:
            return Tally(self.failures + 1, self.failed + 1, self.passes, self.passed)
        return Tally(self.failures, self.failed, self.passes + 1, self.passed + 1)


def _at_least(trials: int, wanted: int, rate: float) -> float:
    """``P(Binomial(trials, rate) >= wanted)``."""
    return sum(
        math.comb(trials, k) * rate**k * (1 - rate) ** (trials - k)
        for k in range(wanted, trials + 1)
    )


def tally(history: Iterable[Run], nodeid: str, fails: Prediction) -> Tally:
    """Every execution of ``nodeid`` in ``history`` that passed or failed, against ``fails``."""
    failures = failed = passes = passed = 0
    for run in history:
        before: list[str] = []
        for record in run.records:
            if record.nodeid == nodeid and record.outcome in ("passed", "failed", "error"):
                if fails(before):
                    failures += 1
                    failed += record.failed
                else:
                    passes += 1
                    passed += not record.failed
            before.append(record.nodeid)
    return Tally(failures, failed, passes, passed)


def after_polluters(
    polluters: Sequence[str], undoers: Iterable[str] = (), *, together: bool = False
) -> Prediction:
    """A victim's story: it fails when one of ``polluters`` (``together``: all of them) ran
    before it with none of ``undoers`` (tests that put a polluter's state back) after."""
    wanted, undoing = frozenset(polluters), frozenset(undoers)

    def fails(before: Sequence[str]) -> bool:
        seen: set[str] = set()
        for nodeid in reversed(before):
            if nodeid in undoing and not seen:
                return False
            if nodeid in wanted:
                seen.add(nodeid)
                if not together or seen == wanted:
                    return True
        return False

    return fails


def without_setters(setters: Sequence[str]) -> Prediction:
    """A brittle test's story: it fails unless all of ``setters`` ran before it."""
    wanted = frozenset(setters)
    return lambda before: not wanted.issubset(before)


@dataclass(frozen=True)
class Story:
    """What a story predicts, and the cheapest runs that test it: ``failing`` then the test
    should fail, ``passing`` then the test should pass."""

    fails: Prediction
    failing: tuple[str, ...]
    passing: tuple[str, ...]

    def next_run(self, now: Tally) -> tuple[str, ...]:
        """The prefix of the run that brings the chance down the most per execution."""
        fail_gain = now.chance() / now.with_one_more(failure=True).chance()
        pass_gain = now.chance() / now.with_one_more(failure=False).chance()
        fail_cost, pass_cost = len(self.failing) + 1, len(self.passing) + 1
        if math.log(fail_gain) / fail_cost > math.log(pass_gain) / pass_cost:
            return self.failing
        return self.passing


def victim_story(polluters: Sequence[str], undoers: Iterable[str] = ()) -> Story:
    """A victim of ``polluters`` (all of them together when more than one)."""
    fails = after_polluters(polluters, undoers, together=len(polluters) > 1)
    return Story(fails, tuple(polluters), ())


def brittle_story(setters: Sequence[str]) -> Story:
    """A test that needs ``setters`` to run before it."""
    return Story(without_setters(setters), (), tuple(setters))
