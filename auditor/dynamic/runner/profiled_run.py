"""`scan --run`: one run of the suite through the driver, profiled, without state probes.

The options are those of `leaks` that say how to run the suite (:class:`LeaksOptions`:
paths, pytest arguments, interpreter, timeout; `pytest-args` and `timeout` of
`[tool.test-auditor.leaks]` apply too), and the run is one pytest process in pytest's own
order with ``--ta-profile --ta-probes none``: every test once, and nothing measured but the
profile (:mod:`auditor.dynamic.plugin.profile`).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from auditor.config import Config
from auditor.dynamic.runner.driver import RunFailed
from auditor.dynamic.runner.leaks import LeaksError, LeaksOptions, make_driver
from auditor.dynamic.runner.observations import Observations, observe


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
        pytest_args=[*defaults.pytest_args, *pytest_args],
        python=python or sys.executable,
        timeout=timeout or defaults.timeout,
        probes="none",
    )


def profile_run(config: Config, options: LeaksOptions) -> Observations:
    """Run the suite once, profiled; raises :class:`LeaksError` when pytest cannot run it."""
    driver = make_driver(config, options)
    try:
        run = driver.run(None, label="the suite, profiled", profile=True)
    except RunFailed as failed:
        raise LeaksError(str(failed)) from failed
    notes = []
    if run.returncode not in (0, 1):
        reason = "timed out" if run.returncode == -1 else f"exit code {run.returncode}"
        notes.append(f"pytest ended early ({reason}) after {len(run.records)} tests")
    return observe(run.records, config.auditor.profile, run.seconds, notes)
