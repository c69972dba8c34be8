"""The pipeline, in one place: config -> model -> analysis -> lint -> report.

Every caller that needs the suite analysed goes through here (the command line,
:mod:`auditor.testing`, the project's tests, the benchmarks), so that the stages are put
together once and in one order:

- :func:`analyse` builds the model of the suite (discovery, parsing through the cache,
  collection) and resolves its fixtures as pytest would; the :class:`Analysis` it returns
  computes the rest on first use (the fixture graph, the tiers, the view rules see) and
  runs rules with :meth:`Analysis.lint`;
- :func:`scan` is the whole static audit: the analysis, the rules, the tiers (corrected by
  a profiled run's observations when there are some) and the :class:`Report` every
  renderer prints.

Nothing here runs the user's code: a profiled run (`scan --run`) happens in
:mod:`auditor.dynamic` and comes in as its :class:`Observations`.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from auditor.analysis.confirm import Confirmed, confirm
from auditor.analysis.graph import FixtureGraph
from auditor.analysis.resolution import Resolution, resolve
from auditor.analysis.tier_model import Tiers
from auditor.analysis.tier_signals import SignalSet, load_signals
from auditor.analysis.tiers import classify
from auditor.api import Rule, SuiteView
from auditor.config import Config, load_config
from auditor.dynamic.runner.observations import Observations
from auditor.lint.engine import Baseline, RunResult, run_rules
from auditor.model.build import BuildOptions, build_suite
from auditor.model.check_scope import CheckScope
from auditor.model.suite import Suite
from auditor.parse.cache import DEFAULT_CACHE_DIR
from auditor.report.contents import Report, build_report


@dataclass
class Analysis:
    """The suite as the static stages see it; the costlier parts are computed on first use."""

    config: Config
    suite: Suite
    resolution: Resolution
    partial: bool = False
    """Only part of the suite was modelled (`check` of a few files): suite-wide rules
    hold back what the missing part could contradict."""
    cache_dir: Path | None = None
    """Where rule results are cached (None: not cached, as with ``--no-cache``)."""
    jobs: int | None = None
    """Worker processes for parsing and for the rules' per-file pass (None: one per core)."""

    @cached_property
    def view(self) -> SuiteView:
        """What rules see: the model, the resolution, the graph, any file's code."""
        return SuiteView(
            self.suite, self.resolution, self.config, partial=self.partial, cache_dir=self.cache_dir
        )

    @property
    def graph(self) -> FixtureGraph:
        """The fixture graph (one, shared with the rules' view; built on first use)."""
        return self.view.graph

    @cached_property
    def signals(self) -> SignalSet:
        return load_signals(self.config.auditor)

    @cached_property
    def tiers(self) -> Tiers:
        files = self.view.parsed  # the trees the rules parsed: not parsed again
        return classify(
            self.suite, self.resolution, self.signals, cache_dir=self.cache_dir, files=files
        )

    def lint(
        self,
        rules: Sequence[type[Rule]],
        *,
        report_paths: frozenset[str] | None = None,
        baseline: Baseline | None = None,
    ) -> RunResult:
        """The findings of ``rules``, those in ``report_paths`` only when given."""
        return run_rules(
            self.view,
            rules,
            settings=self.config.auditor,
            report_paths=report_paths,
            baseline=baseline,
            cache_dir=self.cache_dir,
            jobs=self.jobs,
        )

    def confirm(self, observations: Observations) -> Confirmed:
        """The static tiers next to what a profiled run observed (``scan --run``)."""
        return confirm(self.suite, self.resolution, self.tiers, observations, self.signals)


def analyse(
    config: Config,
    paths: Sequence[Path] = (),
    *,
    build: BuildOptions | None = None,
    invocation_dir: Path | None = None,
    scope: CheckScope | None = None,
) -> Analysis:
    """Model the suite at ``config.rootdir`` (``paths`` as given on the command line,
    relative to ``invocation_dir``, default the working directory) and resolve its fixtures.

    With a ``scope`` (`check` of some files), ``paths`` are ignored: the scope says what
    to model, and the analysis is partial."""
    options = build or BuildOptions()
    where = invocation_dir or Path.cwd()
    cache_dir = _cache_dir(config, options)
    if scope is None:
        suite = build_suite(config, paths, invocation_dir=where, options=options)
        return Analysis(config, suite, resolve(suite), cache_dir=cache_dir, jobs=options.jobs)
    if scope.partial and not scope.analysis_paths:
        suite = Suite(str(config.rootdir), (), (), (), (), {})
    else:
        suite = build_suite(config, scope.analysis_paths, invocation_dir=where, options=options)
    suite = scope.with_extra_files(suite)
    return Analysis(
        config,
        suite,
        resolve(suite),
        partial=scope.partial,
        cache_dir=cache_dir,
        jobs=options.jobs,
    )


def _cache_dir(config: Config, options: BuildOptions) -> Path | None:
    """The cache folder the summaries use, for the rule results too; None without cache."""
    if not options.use_cache:
        return None
    cache_dir = options.cache_dir or Path(config.auditor.cache_dir or DEFAULT_CACHE_DIR)
    return cache_dir if cache_dir.is_absolute() else config.rootdir / cache_dir


class ScanResult:
    """A scan's report, the rules' run, and the analysis behind them (built on first use
    when the report came from the scan cache)."""

    def __init__(
        self, report: Report, lint: RunResult, analysis: Analysis | Callable[[], Analysis]
    ) -> None:
        self.report = report
        self.lint = lint
        """The rules' findings, and the rules that crashed (``lint.errors``)."""
        self._analysis = analysis
        self.cached = not isinstance(analysis, Analysis)
        """Whether the report was read back from the scan cache."""

    @property
    def analysis(self) -> Analysis:
        if not isinstance(self._analysis, Analysis):
            self._analysis = self._analysis()
        return self._analysis


def scan(
    config: Config,
    paths: Sequence[Path] = (),
    *,
    rules: Sequence[type[Rule]],
    build: BuildOptions | None = None,
    invocation_dir: Path | None = None,
    observations: Observations | None = None,
) -> ScanResult:
    """The audit of the suite: findings of ``rules``, tiers with their evidence (corrected
    by ``observations`` of a profiled run when given), duplicates, the fixture graph's hot
    spots, as one :class:`Report`.

    With the cache on and no ``observations``, a scan whose inputs did not change is read
    back whole (`auditor.report.scan_cache`)."""
    options = build or BuildOptions()
    where = invocation_dir or Path.cwd()
    cache_dir = _cache_dir(config, options)
    store = None
    if cache_dir is not None and observations is None:
        from auditor.model.environment import find_environment
        from auditor.report.scan_cache import ScanCache

        environment = options.environment or find_environment(config.rootdir, options.python)
        options = replace(options, environment=environment)
        absolute = [where / p for p in (paths or [where])]
        changes_model = (options.helpers, options.python)
        store = ScanCache(cache_dir, config, absolute, rules, environment, changes_model)
        stored = store.load()
        if stored is not None:
            lint = RunResult(
                stored.report.findings,
                suppressed=stored.suppressed,
                baselined=stored.baselined,
                reused=stored.results,
            )
            chosen = options

            def later() -> Analysis:
                return analyse(config, paths, build=chosen, invocation_dir=where)

            return ScanResult(stored.report, lint, later)
    enabled = gc.isenabled()
    gc.disable()  # millions of live objects (summaries, trees): each collection walks them all
    try:
        analysis = analyse(config, paths, build=options, invocation_dir=where)
        result = analysis.lint(rules)
        confirmed = analysis.confirm(observations) if observations is not None else None
        report = build_report(
            analysis.suite,
            analysis.resolution,
            analysis.graph,
            result.findings,
            analysis.tiers,
            analysis.view.duplicates,
            confirmed,
        )
        if store is not None and not result.errors:
            # still without collections: reading the stored scans back allocates enough
            # to start full ones over every live summary and tree (5 s on SQLAlchemy)
            from auditor.report.scan_cache import StoredScan

            results = result.evaluated + result.reused
            stored = StoredScan(report, result.suppressed, result.baselined, results)
            store.save(analysis.suite, stored)
    finally:
        if enabled:
            gc.enable()
    return ScanResult(report, result, analysis)


def analyse_path(
    path: Path, *, invocation_dir: Path | None = None, build: BuildOptions | None = None
) -> Analysis:
    """The suite at ``path`` as ``test-auditor scan PATH`` run from ``invocation_dir``
    (default: ``path`` itself) models it; without the cache unless ``build`` says so."""
    where = invocation_dir or path
    config = load_config([path], invocation_dir=where)
    options = build or BuildOptions(use_cache=False)
    return analyse(config, [path], build=options, invocation_dir=where)
