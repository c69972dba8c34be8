"""`scan --run`: one run of the suite through the driver, profiled, without state probes.

The options are those of `leaks` that say how to run the suite (:class:`LeaksOptions`:
paths, pytest arguments, interpreter, timeout; `pytest-args` and `timeout` of
`[tool.test-auditor.leaks]` apply too), and the run is one pytest process in pytest's own
order with ``--ta-profile --ta-probes none``: every test once, and nothing measured but the
profile (:mod:`auditor.dynamic.plugin.profile`). A module pytest cannot collect (an
example folder that ``pytest`` alone also collects, an optional dependency missing) does
not stop the rest: the run goes on with ``--continue-on-collection-errors`` and each such
module is a note of the run.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from auditor.config import Config
from auditor.dynamic.runner.driver import RunFailed
from auditor.dynamic.runner.leaks import LeaksError, LeaksOptions, make_driver, per_test_timeout
from auditor.dynamic.runner.observations import Observations, observe
from auditor.dynamic.runner.worktree import WorkTreeGuard

CONTINUE = "--continue-on-collection-errors"
"""pytest's option to run what it collected when some modules fail to import."""


def scan_run_options(
    config: Config,
    *,
    paths: Sequence[str] = (),
    pytest_args: Sequence[str] = (),
    python: str | None = None,
    timeout: float | None = None,
) -> LeaksOptions:
    """How `scan --run` runs the suite: its paths, ``-- ARGS``, ``--python``, ``--timeout``."""
    defaults = config.auditor.leaks
    return LeaksOptions(
        paths=list(paths),
        pytest_args=[*defaults.pytest_args, *pytest_args, CONTINUE],
        python=python or sys.executable,
        timeout=per_test_timeout(timeout, defaults.timeout),
        probes="none",
    )


def profile_run(config: Config, options: LeaksOptions) -> Observations:
    """Run the suite once, profiled; raises :class:`LeaksError` when pytest cannot run it."""
    driver = make_driver(config, options)
    guard = WorkTreeGuard(config.rootdir)
    try:
        run = driver.run(None, label="the suite, profiled", profile=True)
    except RunFailed as failed:
        raise LeaksError(str(failed)) from failed
    finally:
        restored = guard.restore("the profiled run")
        guard.close()
    notes = [restored_file.describe() for restored_file in restored]
    errors = run.session.collection_errors
    if errors:
        shown = "; ".join(f"{nodeid} ({why})" for nodeid, why in errors[:3])
        more = f" and {len(errors) - 3} more" if len(errors) > 3 else ""
        modules = "1 module" if len(errors) == 1 else f"{len(errors)} modules"
        notes.append(f"{modules} could not be collected, the rest ran: {shown}{more}")
    notes += [
        f"{crash.nodeid or 'pytest'} did not finish: {crash.why}; the rest ran without it"
        for crash in run.crashes
    ]
    if run.not_run:
        shown = ", ".join(run.not_run[:5]) + (" ..." if len(run.not_run) > 5 else "")
        notes.append(f"{len(run.not_run)} tests never ran: {shown}")
    return observe(run.records, config.auditor.profile, run.seconds, notes)
