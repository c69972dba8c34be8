"""The per-file pass of the rules: every `check_file` a run still has to make, in this
process or, on a cold run of a large suite, shared among forked worker processes.

The suite-wide rules (`Rule.check`) run first, in the calling process, and with them the
suite-wide facts they compute on first use (the fixture graph, the duplicate groups):
forked workers inherit those and the whole analysis, run the per-file rules on their share
of the files, and send back plain results (findings, a crash, the questions asked). Each
file's rules run in one worker, so a rule instance sees the files of its share in order,
as it would in one process. Where `fork` is not the way processes start (macOS,
Windows), or a worker dies, the pass runs here instead: same results, one core.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence
from dataclasses import dataclass

from auditor.api import Rule, SuiteView
from auditor.lint import answers
from auditor.lint.answers import Asked
from auditor.types import Finding

PARALLEL_FILES = 48
"""Files to check below which workers cost more than they save (forking a process that
holds a large suite's analysis takes a while)."""
CHUNKS_PER_WORKER = 8
"""Shares per worker: files differ a lot in cost, small shares even the load out."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """One rule's `check_file` on one file: its findings and the questions it asked of
    the suite (`auditor.lint.answers`), or the traceback of its crash."""

    path: str
    code: str
    findings: tuple[Finding, ...]
    asked: Asked
    crash: tuple[str, str] | None = None
    """(repr of the exception, traceback) when the rule crashed."""


Work = Sequence[tuple[str, Sequence[Rule]]]
"""Per file (relative path), the rules still to run on it."""

_INHERITED: tuple[SuiteView, Work] | None = None
"""What forked workers read: set just before the pool forks, cleared after."""


def check_files(view: SuiteView, work: Work, *, jobs: int | None = None) -> list[Outcome]:
    """The outcomes of every rule of `work` on its file, in the order of `work` (a file
    that cannot be read or parsed gives none: TA100 reports it)."""
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers > 1 and len(work) >= PARALLEL_FILES and _forks():
        shared = _in_workers(view, work, workers)
        if shared is not None:
            return shared
    return [outcome for index in range(len(work)) for outcome in _check(view, *work[index])]


def _forks() -> bool:
    """Whether worker processes start as forks of this one (and so inherit the view)."""
    return sys.platform.startswith("linux")


def _in_workers(view: SuiteView, work: Work, workers: int) -> list[Outcome] | None:
    """`work` shared among forked processes; None when the pool could not run it."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    global _INHERITED
    size = max(1, len(work) // (workers * CHUNKS_PER_WORKER))
    shares = [range(start, min(start + size, len(work))) for start in range(0, len(work), size)]
    _INHERITED = (view, work)
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            results = list(pool.map(_check_share, [(s.start, s.stop) for s in shares]))
    except (BrokenProcessPool, OSError):
        return None  # a worker died (memory) or none could start: run here instead
    finally:
        _INHERITED = None
    return [outcome for share in results for outcome in share]


def _check_share(bounds: tuple[int, int]) -> list[Outcome]:
    """In a worker: the outcomes of the files `work[start:stop]`."""
    if _INHERITED is None:  # pragma: no cover - only a non-forked start gets here
        raise RuntimeError("the rules' file pass runs in forked workers only")
    view, work = _INHERITED
    return [outcome for index in range(*bounds) for outcome in _check(view, *work[index])]


def _check(view: SuiteView, path: str, rules: Sequence[Rule]) -> list[Outcome]:
    file = view.file(path)
    if file is None:
        return []
    outcomes: list[Outcome] = []
    for rule in rules:
        answers.start(rule)
        try:
            found = tuple(rule.check_file(file))
        except Exception as exc:  # a broken rule is reported, the run goes on
            crash = (repr(exc), traceback.format_exc())
            outcomes.append(Outcome(path, rule.code, (), (), crash))
            continue
        outcomes.append(Outcome(path, rule.code, found, answers.recorded(rule)))
    return outcomes
