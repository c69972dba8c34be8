"""`test-auditor leaks`: options from the command line and `[tool.test-auditor.leaks]`, the
driver set up for the rootdir, the hunt run (see :mod:`auditor.dynamic.hunt`)."""

from __future__ import annotations

import argparse
import random
import re
import shlex
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from auditor.config import Config
from auditor.dynamic.driver import Budget, PytestDriver, RunFailed
from auditor.dynamic.hunt import Settings, hunt
from auditor.dynamic.result import LeakReport


class LeaksError(Exception):
    """Bad options, or pytest could not run the suite at all."""


Progress = Callable[[str, int, int], None]


@dataclass
class LeaksOptions:
    paths: Sequence[str] = ()
    pytest_args: Sequence[str] = ()
    rounds: int = 2
    seed: int = 0
    budget: Budget = field(default_factory=Budget)
    budget_text: str | None = None
    jobs: int = 1
    python: str = sys.executable
    timeout: float | None = None
    probes: str = "all"
    settings: dict[str, str] = field(default_factory=dict)
    progress: Progress | None = None

    @classmethod
    def from_args(cls, args: argparse.Namespace, config: Config) -> LeaksOptions:
        defaults = config.auditor.leaks
        settings: dict[str, str] = {}
        db_url: str | None = args.db_url or defaults.db_url
        redis_url: str | None = args.redis_url or defaults.redis_url
        if db_url:
            settings["db_url"] = db_url
        if redis_url:
            settings["redis_url"] = redis_url
        if defaults.modules:
            settings["modules"] = ",".join(defaults.modules)
        budget_text = args.budget or defaults.budget
        rounds = args.rounds if args.rounds is not None else defaults.rounds
        if rounds < 0:
            raise LeaksError("--rounds must be 0 or more")
        if args.jobs < 1:
            raise LeaksError("--jobs must be 1 or more")
        probes = args.probes or ",".join(defaults.probes) or "all"
        return cls(
            paths=list(args.paths),
            pytest_args=[*defaults.pytest_args, *args.pytest_args],
            rounds=rounds,
            seed=args.seed if args.seed is not None else random.randrange(10**6),
            budget=parse_budget(budget_text),
            budget_text=budget_text,
            jobs=args.jobs,
            python=args.python or sys.executable,
            timeout=args.timeout or defaults.timeout,
            probes=probes,
            settings=settings,
        )

    def rerun(self) -> str:
        """The one-line command that repeats this hunt."""
        words = ["test-auditor", "leaks", *self.paths, "--seed", str(self.seed)]
        words += ["--rounds", str(self.rounds)]
        if self.budget_text:
            words += ["--budget", self.budget_text]
        if self.pytest_args:
            words += ["--", *self.pytest_args]
        return shlex.join(words)


def parse_budget(text: str | None) -> Budget:
    """``500`` test executions, or ``10m`` / ``90s`` / ``1.5h`` of wall time."""
    if not text:
        return Budget()
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", text)
    if match is None:
        raise LeaksError(f"--budget {text!r}: expected executions (500) or a time (10m, 90s)")
    number, unit = float(match.group(1)), match.group(2)
    if not unit:
        return Budget(executions=int(number))
    return Budget(seconds=number * {"s": 1, "m": 60, "h": 3600}[unit])


def run(config: Config, options: LeaksOptions) -> LeakReport:
    """Hunt for leaks in the suite at ``config.rootdir``."""
    driver = PytestDriver(
        rootdir=config.rootdir,
        paths=options.paths,
        pytest_args=options.pytest_args,
        python=options.python,
        settings=options.settings,
        probes=options.probes,
        timeout=options.timeout,
        budget=options.budget,
        on_progress=options.progress,
    )
    settings = Settings(
        seed=options.seed,
        rounds=options.rounds,
        pytest_args=options.pytest_args,
        rerun=options.rerun(),
        jobs=options.jobs,
    )
    try:
        return hunt(driver, settings, str(config.rootdir))
    except RunFailed as failed:
        raise LeaksError(str(failed)) from failed
