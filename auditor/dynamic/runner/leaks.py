"""`test-auditor leaks`: its options (given values over `[tool.test-auditor.leaks]`), the
driver set up for the rootdir, the hunt run (see :mod:`auditor.dynamic.runner.hunt`)."""

from __future__ import annotations

import random
import re
import shlex
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from auditor.config import Config
from auditor.dynamic.probes.database_url import backend, sqlite_path
from auditor.dynamic.runner.database_guard import REDIS, DatabaseGuard
from auditor.dynamic.runner.driver import DEFAULT_TEST_TIMEOUT, Budget, PytestDriver, RunFailed
from auditor.dynamic.runner.hunt import Settings, hunt
from auditor.dynamic.runner.observations import observe
from auditor.dynamic.runner.result import LeakReport
from auditor.dynamic.runner.worktree import WorkTreeGuard, mark_persisting
from auditor.dynamic.shards import Shard
from auditor.paths import in_rootdir


class LeaksError(Exception):
    """Bad options, or pytest could not run the suite at all."""


Progress = Callable[[str, int, int], None]


def _warn(text: str) -> None:
    print(f"test-auditor: warning: {text}", file=sys.stderr)


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
    timeout: float | None = DEFAULT_TEST_TIMEOUT
    """Seconds one test may run (None: no limit)."""
    probes: str = "all"
    settings: dict[str, str] = field(default_factory=dict)
    progress: Progress | None = None
    coverage: bool = False
    shard: Shard | None = None
    warn: Callable[[str], None] = _warn
    """Says on stderr what the user must know at once (a database left unguarded)."""

    @classmethod
    def build(
        cls,
        config: Config,
        *,
        paths: Sequence[str] = (),
        pytest_args: Sequence[str] = (),
        rounds: int | None = None,
        seed: int | None = None,
        budget: str | None = None,
        jobs: int = 1,
        python: str | None = None,
        timeout: float | None = None,
        probes: str | None = None,
        db_url: str | None = None,
        redis_url: str | None = None,
        coverage: bool = False,
        shard: str | None = None,
    ) -> LeaksOptions:
        """The options of one hunt: what the user gave (``None``: not given), else
        ``[tool.test-auditor.leaks]``, else the defaults; :class:`LeaksError` when they
        cannot work together."""
        defaults = config.auditor.leaks
        settings: dict[str, str] = {}
        db_url = db_url or defaults.db_url
        redis_url = redis_url or defaults.redis_url
        if db_url:
            settings["db_url"] = db_url
        if redis_url:
            settings["redis_url"] = redis_url
        if defaults.modules:
            settings["modules"] = ",".join(defaults.modules)
        budget_text = budget or defaults.budget
        rounds = rounds if rounds is not None else defaults.rounds
        if rounds < 0:
            raise LeaksError("--rounds must be 0 or more")
        if jobs < 1:
            raise LeaksError("--jobs must be 1 or more")
        arguments = [*defaults.pytest_args, *pytest_args]
        distributing = _xdist_arguments(arguments)
        if distributing:
            raise LeaksError(
                f"{', '.join(distributing)}: a round is one order in one pytest process, so "
                "pytest-xdist cannot spread it over workers. Leave it out (a suite's addopts "
                "`-n` is turned off by itself); --jobs N runs rounds in parallel, and "
                "--shard I/N with the same --seed spreads the suite over N machines"
            )
        part = None
        if shard:
            if seed is None:
                raise LeaksError("--shard needs --seed, the same on every machine")
            try:
                part = Shard.parse(shard, seed)
            except ValueError as error:
                raise LeaksError(str(error)) from error
        return cls(
            paths=list(paths),
            pytest_args=arguments,
            rounds=rounds,
            seed=seed if seed is not None else random.randrange(10**6),
            budget=parse_budget(budget_text),
            budget_text=budget_text,
            jobs=jobs,
            python=python or sys.executable,
            timeout=per_test_timeout(timeout, defaults.timeout),
            probes=probes or ",".join(defaults.probes) or "all",
            settings=settings,
            coverage=coverage,
            shard=part,
        )

    def rerun(self) -> str:
        """The one-line command that repeats this hunt."""
        words = ["test-auditor", "leaks", *self.paths, "--seed", str(self.seed)]
        words += ["--rounds", str(self.rounds)]
        if self.jobs != 1:
            words += ["--jobs", str(self.jobs)]
        if self.shard is not None:
            words += ["--shard", str(self.shard)]
        if self.coverage:
            words.append("--coverage")
        if self.budget_text:
            words += ["--budget", self.budget_text]
        if self.pytest_args:
            words += ["--", *self.pytest_args]
        return shlex.join(words)


_XDIST_SWITCHES = ("-d",)
_XDIST_OPTIONS = ("-n", "--numprocesses", "--dist", "--tx")


def _xdist_arguments(pytest_args: Sequence[str]) -> list[str]:
    """The arguments in ``pytest_args`` that ask pytest-xdist to distribute the run
    (``-n 0`` and ``--dist no`` do not)."""
    found: list[str] = []
    for position, argument in enumerate(pytest_args):
        if argument in _XDIST_SWITCHES:
            found.append(argument)
            continue
        name, equals, value = argument.partition("=")
        if name in _XDIST_OPTIONS and not equals:
            value = next(iter(pytest_args[position + 1 : position + 2]), "")
            argument = f"{argument} {value}".strip()
        elif re.fullmatch(r"-n\w+", argument):  # -n4, -nauto
            name, value = "-n", argument[2:]
        elif name not in _XDIST_OPTIONS:
            continue
        if name == "--tx" or value not in ("0", "no"):
            found.append(argument)
    return found


def per_test_timeout(given: float | None, configured: float | None) -> float | None:
    """The per-test timeout: given, else configured, else the default; 0 turns it off."""
    for value in (given, configured):
        if value is not None:
            return value or None
    return DEFAULT_TEST_TIMEOUT


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


def make_driver(config: Config, options: LeaksOptions) -> PytestDriver:
    """The driver that runs the suite at ``config.rootdir`` as ``options`` say (`leaks`,
    and `scan --run` with its own options)."""
    return PytestDriver(
        rootdir=config.rootdir,
        paths=[in_rootdir(path, config.rootdir) for path in options.paths],
        pytest_args=options.pytest_args,
        python=options.python,
        settings=options.settings,
        probes=options.probes,
        timeout=options.timeout,
        budget=options.budget,
        on_progress=options.progress,
        coverage=options.coverage,
        shard=options.shard,
    )


def run(config: Config, options: LeaksOptions) -> LeakReport:
    """Hunt for leaks in the suite at ``config.rootdir``; the files under it
    (:class:`WorkTreeGuard`), the rows of a PostgreSQL ``--db-url`` database and the keys of
    a ``--redis-url`` Redis (:class:`DatabaseGuard`) are put back between the runs and at
    the end as they were before, and the state kept in them is named as state that persists
    across runs."""
    guard = WorkTreeGuard(config.rootdir)
    services: list[DatabaseGuard] = []
    try:
        _guard_services(config, options, services)
        report = _hunt(config, options, guard, services)
    finally:
        guard.restore("the last run")
        guard.close()
        for service in services:
            service.restore("the last run")
            service.close()
            for entry in service.not_restored():
                options.warn(f"NOT RESTORED: {entry.describe()}")
    report.restored = list(guard.restored)
    report.notes.extend(_outside_note(config, options))
    kept: dict[tuple[str, str], tuple[str, bool]] = {}
    for service in services:
        report.databases_restored.extend(service.restored)
        report.notes.extend(service.notes)
        kept.update(service.persisting())
    mark_persisting(report, report.restored, _database_file(config, options), kept)
    return report


def _guard_services(config: Config, options: LeaksOptions, found: list[DatabaseGuard]) -> None:
    """Add to ``found`` the guards of the ``--db-url`` PostgreSQL database and the
    ``--redis-url`` Redis, their snapshots taken (what cannot be guarded is said on stderr
    at once)."""
    for service, url in (
        ("postgresql", options.settings.get("db_url", "")),
        (REDIS, options.settings.get("redis_url", "")),
    ):
        guard = DatabaseGuard.start(url, options.python, config.rootdir, service=service)
        if guard is not None:
            found.append(guard)
            for note in guard.notes:
                options.warn(note)


def _outside_note(config: Config, options: LeaksOptions) -> list[str]:
    """A SQLite ``--db-url`` outside the rootdir: no guard puts its rows back."""
    url = options.settings.get("db_url", "")
    path = sqlite_path(url, config.rootdir) if backend(url) == "sqlite" else None
    if path is None or _database_file(config, options) is not None:
        return []
    return [f"{path} is outside the project: rows the suite commits into it are NOT put back"]


def _database_file(config: Config, options: LeaksOptions) -> str | None:
    """The rootdir-relative file of a SQLite ``--db-url`` inside the rootdir (pytest runs
    there: a relative path is the rootdir's)."""
    url = options.settings.get("db_url", "")
    path = sqlite_path(url, config.rootdir) if backend(url) == "sqlite" else None
    if path is None:
        return None
    try:
        return path.relative_to(config.rootdir).as_posix()
    except ValueError:
        return None


def _hunt(
    config: Config, options: LeaksOptions, guard: WorkTreeGuard, services: list[DatabaseGuard]
) -> LeakReport:
    driver = make_driver(config, options)

    def between_runs(label: str) -> None:
        guard.restore(label)
        for service in services:
            service.restore(label)

    driver.between_runs = between_runs
    settings = Settings(
        seed=options.seed,
        rounds=options.rounds,
        pytest_args=options.pytest_args,
        rerun=options.rerun(),
        jobs=options.jobs,
    )
    try:
        report = hunt(driver, settings, str(config.rootdir))
    except RunFailed as failed:
        raise LeaksError(str(failed)) from failed
    report.shard = str(options.shard or "")
    if driver.profiled is not None:  # the default order runs with the profile on
        profiled = driver.profiled
        report.profile = observe(profiled.records, config.auditor.profile, profiled.seconds)
    if options.coverage:
        measured = driver.exercised
        report.coverage = measured.tests if measured is not None else {}
        if measured is None:
            report.notes.append("per-test coverage: the default-order run did not finish")
        elif measured.note:
            report.notes.append(f"per-test coverage: {measured.note}")
    return report
