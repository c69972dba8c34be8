"""config -> discover -> parse -> collect: the whole static pipeline up to the `Suite`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from auditor.config import Config
from auditor.model.collect import Collector, Registry
from auditor.model.discover import discover
from auditor.model.environment import SuiteEnvironment, find_environment
from auditor.model.imports import ModuleIndex
from auditor.model.known_plugins import with_plugin_params
from auditor.model.plugin_sources import plugin_module_file, pytest_version, session_plugins
from auditor.model.selection import apply_selection, selection_from_addopts
from auditor.model.suite import Origin, Suite, TestItem
from auditor.parse import DynamicFixture, ModuleSummary, ParseFailure, parse_files
from auditor.parse.cache import DEFAULT_CACHE_DIR, Summary, SummaryCache
from auditor.parse.run import Prefetch
from auditor.parse.summary import Binding
from auditor.paths import is_below, relpath


@dataclass(frozen=True, slots=True)
class BuildOptions:
    use_cache: bool = True
    cache_dir: Path | None = None
    jobs: int | None = None
    prefetch: Prefetch | None = None
    """Files already being parsed in a child process (see `Prefetch`)."""
    helpers: bool = True
    """Also parse the suite's helper modules its tests and conftests import (for tiers);
    `check` does without them."""
    python: str | None = None
    """The suite's interpreter (`--python`); without it, ``VIRTUAL_ENV`` or a ``.venv``
    in the rootdir, else test-auditor's own (`auditor.model.environment`)."""
    environment: SuiteEnvironment | None = None
    """The suite's environment when already found (it wins over `python`)."""


class _Summaries:
    """Parsed files by absolute path; parses (through the cache) on first request."""

    def __init__(self, config: Config, options: BuildOptions) -> None:
        self.rootdir = config.rootdir
        self.options = options
        self.cache: SummaryCache | None = None
        if options.use_cache:
            cache_dir = options.cache_dir or Path(config.auditor.cache_dir or DEFAULT_CACHE_DIR)
            if not cache_dir.is_absolute():
                cache_dir = config.rootdir / cache_dir
            self.cache = SummaryCache(cache_dir, config.rootdir)
        self.loaded: dict[Path, Summary] = {}

    def load_many(self, paths: Sequence[Path]) -> None:
        wanted = [p for p in paths if p not in self.loaded and not self._remembered(p)]
        if not wanted:
            return
        keys = [relpath(p, self.rootdir) for p in wanted]
        parsed = parse_files(
            self.rootdir,
            keys,
            cache=self.cache,
            jobs=self.options.jobs,
            prefetch=self.options.prefetch,
        )
        for path, key in zip(wanted, keys, strict=True):
            self.loaded[path] = parsed[key]
            if _outside(path, self.rootdir) and (stamp := _stamp(path)):
                _OUTSIDE_ROOT[stamp] = parsed[key]

    def _remembered(self, path: Path) -> bool:
        """Plugin modules outside the rootdir parsed earlier in this process (a test
        session builds many small suites that all read pytest's builtin plugins)."""
        if not _outside(path, self.rootdir):
            return False
        stamp = _stamp(path)
        summary = _OUTSIDE_ROOT.get(stamp) if stamp else None
        if summary is None:
            return False
        self.loaded[path] = summary
        return True

    def __call__(self, path: Path) -> Summary | None:
        if path not in self.loaded:
            self.load_many([path])
        return self.loaded.get(path)


_OUTSIDE_ROOT: dict[tuple[str, int, int], Summary] = {}


def _outside(path: Path, rootdir: Path) -> bool:
    return not is_below(path, rootdir)


def _stamp(path: Path) -> tuple[str, int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (str(path), stat.st_mtime_ns, stat.st_size)


def build_suite(
    config: Config,
    paths: Sequence[Path],
    *,
    invocation_dir: Path,
    options: BuildOptions | None = None,
) -> Suite:
    """The static model of the suite pytest would collect for `paths`."""
    options = options or BuildOptions()
    summaries = _Summaries(config, options)

    def collect_ignores(conftest: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
        summary = summaries(conftest)
        if isinstance(summary, ModuleSummary):
            return summary.collect_ignore, summary.collect_ignore_glob
        return (), ()

    files = discover(config, paths, invocation_dir=invocation_dir, ignore_lookup=collect_ignores)
    root = config.rootdir
    conftest_paths = [root / c for c in files.conftests]
    test_paths = [root / t for t in files.test_files]
    summaries.load_many([*conftest_paths, *test_paths])

    environment = options.environment or find_environment(root, options.python)
    search_roots = [root, root / "src", *(root / p for p in config.pytest.pythonpath)]
    index = ModuleIndex(
        _test_roots(root, files.test_files, files.conftests),
        search_roots,
        summaries,
        wanted=_wanted_names(summaries(p) for p in [*conftest_paths, *test_paths]),
        site_roots=None if environment.own else environment.search_roots,
    )
    collector = Collector(config, files, index)
    version = pytest_version(environment)
    collector.pytest_version = version

    plugin_names: list[str] = []
    plugins = session_plugins(index, config.pytest.addopts, environment)
    collector.plugins = {p.name for p in plugins}
    summaries.load_many([p.path for p in plugins if _mentions_fixture(p.path)])
    for plugin in plugins:
        if not _mentions_fixture(plugin.path):
            continue
        origin = Origin.BUILTIN if plugin.kind == "builtin" else Origin.PLUGIN
        collector.register_namespace(plugin.path, "", origin, with_classes=plugin.kind == "builtin")
        plugin_names.append(plugin.name)

    dynamic_plugins: list[str] = []
    for conftest in sorted(conftest_paths, key=lambda p: len(p.parts)):
        summary = summaries(conftest)
        if not isinstance(summary, ModuleSummary):
            continue
        if summary.dynamic_pytest_plugins:
            dynamic_plugins.append(relpath(conftest, root))
        for name in _register_plugins(
            collector, index, conftest, summary, plugin_names, environment
        ):
            dynamic_plugins.append(f"{relpath(conftest, root)}: {name}")
        directory = conftest.parent
        node = (
            "" if directory == root or root not in directory.parents else relpath(directory, root)
        )
        collector.register_namespace(conftest, node, Origin.CONFTEST)

    failures: list[ParseFailure] = []
    dynamic: list[tuple[str, DynamicFixture]] = []
    hooks: list[str] = []
    for path in [*conftest_paths, *test_paths]:
        summary = summaries(path)
        if isinstance(summary, ParseFailure):
            failures.append(summary)
        elif summary is not None:
            dynamic.extend((relpath(path, root), d) for d in summary.dynamic_fixtures)
            if any(f.name == "pytest_generate_tests" for f in summary.functions):
                hooks.append(relpath(path, root))
    modules = [(p, s) for p in test_paths if isinstance(s := summaries(p), ModuleSummary)]
    for path, summary in modules:
        # pytest_plugins of a test module register globally, like -p NAME
        _register_plugins(collector, index, path, summary, plugin_names, environment)
    for path, summary in modules:
        collector.collect_module(path, summary)

    helpers: dict[Path, ModuleSummary] = {}
    if options.helpers:
        helpers = _suite_helpers(
            root, index, summaries, [*conftest_paths, *test_paths], files.test_files
        )
    if summaries.cache is not None:
        summaries.cache.save()
    registry = collector.registry
    selection = selection_from_addopts(config.pytest.addopts)
    return Suite(
        rootdir=str(root),
        test_files=files.test_files,
        conftests=files.conftests,
        tests=apply_selection(
            collector.tests,
            selection,
            pytest_version=version,
            packages=files.packages,
            rootdir=root,
        ),
        fixtures=with_plugin_params(registry.fixtures, environment),
        autouse=_with_ini_usefixtures(registry.autouse, config.pytest.usefixtures),
        failures=tuple(failures),
        problems=files.problems,
        dynamic_fixtures=tuple(dynamic),
        plugins=tuple(plugin_names),
        dynamic_plugins=tuple(dynamic_plugins),
        pytest_version=version,
        environment=environment,
        selection_problems=selection.problems,
        generate_tests_hooks=tuple(hooks),
        other_files=files.other_files,
        packages=files.packages,
        modules={
            relpath(path, root): summary
            for path in [
                *conftest_paths,
                *test_paths,
                *_defining_modules(root, registry, collector.tests),
            ]
            if isinstance(summary := summaries(path), ModuleSummary)
        },
        helpers={relpath(path, root): summary for path, summary in helpers.items()},
        parsed={
            relpath(path, root): summary
            for path, summary in summaries.loaded.items()
            if isinstance(summary, ModuleSummary) and is_below(path, root)
        },
    )


def _suite_helpers(
    root: Path,
    index: ModuleIndex,
    summaries: _Summaries,
    starts: Sequence[Path],
    test_files: Sequence[str],
) -> dict[Path, ModuleSummary]:
    """The suite's own helper modules (factories, clients, db helpers) that its test
    files and conftests import, transitively: modules under a folder named test, tests
    or testing, or in a folder that holds test files. The code under test is not read."""
    holders = {(root / t).parent for t in test_files}
    known = set(starts)
    found: dict[Path, ModuleSummary] = {}
    work = list(starts)
    while work:
        path = work.pop()
        summary = summaries(path)
        if not isinstance(summary, ModuleSummary):
            continue
        for binding in summary.bindings:
            if binding.kind not in ("import", "star"):
                continue
            for target in _imported_files(index, path, binding):
                if target in known or not _is_helper(target, root, holders):
                    continue
                known.add(target)
                loaded = summaries(target)
                if isinstance(loaded, ModuleSummary):
                    found[target] = loaded
                    work.append(target)
    return found


def _imported_files(index: ModuleIndex, importer: Path, binding: Binding) -> list[Path]:
    files: list[Path] = []
    module = index.find(binding.module, importer=importer, level=binding.level)
    if module is not None:
        files.append(module)
    if binding.kind == "import" and binding.target:
        name = f"{binding.module}.{binding.target}" if binding.module else binding.target
        submodule = index.find(name, importer=importer, level=binding.level)
        if submodule is not None:
            files.append(submodule)
    return files


def _is_helper(path: Path, root: Path, holders: set[Path]) -> bool:
    if path.suffix != ".py" or not is_below(path, root):
        return False
    relative = path.parts[len(root.parts) : -1]
    if any(part in ("test", "tests", "testing") for part in relative):
        return True
    folder = path.parent
    if folder in holders:
        return True
    while len(folder.parts) > len(root.parts) + 1:  # the folders below the rootdir
        folder = folder.parent
        if folder in holders:
            return True
    return False


def _defining_modules(root: Path, registry: Registry, tests: Sequence[TestItem]) -> list[Path]:
    """Modules under the rootdir, other than test modules and conftests, that define
    fixtures (plugins named in `pytest_plugins`, modules fixtures are imported from) or
    collected tests (a base class of shared tests in a helper or in the project's code,
    `webargs.testing`)."""
    shown = [d.path for d in registry.fixtures] + [t.defined_in for t in tests if t.defined_in]
    paths = {p for p in shown if not Path(p).is_absolute() and not p.startswith("..")}
    return [root / p for p in sorted(paths)]


def _register_plugins(
    collector: Collector,
    index: ModuleIndex,
    owner: Path,
    summary: ModuleSummary,
    registered: list[str],
    environment: SuiteEnvironment | None = None,
) -> list[str]:
    """Register the modules a file names in `pytest_plugins` as global plugins, each
    once; returns the names that could not be located."""
    missing: list[str] = []
    for name in summary.pytest_plugins:
        if name in registered:
            continue
        module = plugin_module_file(name, index, importer=owner, env=environment)
        if module is None:
            missing.append(name)
            continue
        collector.register_namespace(module, "", Origin.PLUGIN)
        registered.append(name)
    return missing


def _wanted_names(summaries: Iterable[Summary | None]) -> frozenset[str]:
    """Names the analysed files may need from their imports: every parameter and
    usefixtures name (a fixture), and every base class name (inherited tests)."""
    names: set[str] = set()
    for summary in summaries:
        if not isinstance(summary, ModuleSummary):
            continue
        names.update(a for mark in summary.marks for a in mark.args)
        stack = list(summary.classes)
        functions = list(summary.functions)
        while stack:
            cls = stack.pop()
            names.update(base.rsplit(".", 1)[-1] for base in cls.bases)
            names.update(a for m in cls.marks for a in m.args)
            functions.extend(cls.functions)
            stack.extend(cls.classes)
        for function in functions:
            names.update(p.name for p in function.params)
            names.update(function.usefixtures)
            names.update(function.getfixturevalue)
    return frozenset(names)


def _test_roots(root: Path, tests: Sequence[str], conftests: Sequence[str]) -> list[Path]:
    """The folders that hold test files or conftests: imports into them (and below
    them) are followed, imports of the code under test are not."""
    folders = {(root / relative).parent for relative in (*tests, *conftests)}
    return sorted(folders) or [root]


def _mentions_fixture(path: Path) -> bool:
    """A cheap text test that spares parsing plugin modules that define no fixture."""
    try:
        return b"fixture" in path.read_bytes()
    except OSError:
        return False


def _with_ini_usefixtures(
    autouse: dict[str, list[str]], names: Sequence[str]
) -> dict[str, tuple[str, ...]]:
    """The `usefixtures` ini option acts as autouse names at the session."""
    merged = {node: tuple(values) for node, values in autouse.items()}
    if names:
        merged[""] = (*names, *merged.get("", ()))
    return merged
