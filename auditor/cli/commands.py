"""The subcommands: each turns its parsed arguments into plain values, calls the pipeline
(or the leak hunt) and renders the result; no analysis logic lives here."""

from __future__ import annotations

import argparse
import gc
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.config import Config, load_config
from auditor.parse.run import Prefetch
from auditor.paths import absolute, relpath

# The analysis modules load inside the commands that use them, not here: `check` forks
# its prefetch child (which imports libcst and parses the changed files) first, so their
# import runs beside the child's instead of before it. That is a tenth of a one-file check.
if TYPE_CHECKING:
    from auditor.analysis.graph import FixtureGraph
    from auditor.api import Rule, SuiteView
    from auditor.lint.engine import RunResult
    from auditor.migrate.plan_file import Plan
    from auditor.model.build import BuildOptions
    from auditor.model.check_scope import CheckScope
    from auditor.types import Finding

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143
"""128 + SIGINT and 128 + SIGTERM, as shells expect."""


def _config(args: argparse.Namespace, paths: Sequence[Path]) -> Config:
    return load_config(
        paths, invocation_dir=Path.cwd(), config_file=args.config_file, rootdir=args.rootdir
    )


def _build_options(
    args: argparse.Namespace, *, helpers: bool = True, prefetch: Prefetch | None = None
) -> BuildOptions:
    from auditor.model.build import BuildOptions

    return BuildOptions(
        use_cache=not args.no_cache,
        cache_dir=args.cache_dir,
        jobs=args.jobs,
        prefetch=prefetch,
        helpers=helpers,
        python=getattr(args, "python", None),
    )


def _suite_python(args: argparse.Namespace, config: Config) -> str | None:
    """The interpreter that runs the suite (`scan --run`, `leaks`): `--python`, else the
    suite's own environment (``VIRTUAL_ENV``, a ``.venv``/``venv`` in the rootdir) when it
    is not test-auditor's own, else None (test-auditor's own)."""
    from auditor.model.environment import find_environment, python_of

    if args.python and not Path(args.python).is_dir():
        return str(args.python)
    return python_of(find_environment(config.rootdir, args.python)) or args.python


def _chosen_rules(args: argparse.Namespace, config: Config) -> list[type[Rule]]:
    from auditor.lint.engine import select_rules
    from auditor.lint.registry import all_rules

    settings = config.auditor
    return select_rules(
        all_rules(),
        select=args.select if args.select is not None else settings.select,
        extend_select=[*settings.extend_select, *args.extend_select],
        ignore=[*settings.ignore, *args.ignore],
    )


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


def _report_errors(result: RunResult) -> None:
    for error in result.errors:
        where = f" on {error.path}" if error.path else ""
        print(f"test-auditor: rule {error.rule} failed{where}: {error.message}", file=sys.stderr)


def run_scan(args: argparse.Namespace) -> int:
    """`scan`, with the garbage collector paused until the report is written and the
    analysis let go. `auditor.pipeline.scan` pauses it over the analysis; switched back
    on while the report renders, its first collections walked every object the analysis
    made, the trees and summaries still in use (three walks of millions of objects on
    sympy, 9 of 108 s of CPU). When `_scan` returns, reference counting has freed what
    it can, and only what is left is walked; in the command line's own process, which
    ends next, not even that: it is frozen (collecting and freeing it cost 17 s)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _scan(args)
    finally:
        if getattr(args, "process_ends", False):
            gc.freeze()
        if enabled:
            gc.enable()


def _scan(args: argparse.Namespace) -> int:
    from auditor.lint.engine import fails
    from auditor.pipeline import scan
    from auditor.report.json_report import render_json

    if args.pytest_args and not args.run:
        print("test-auditor: error: arguments after -- go to pytest: add --run", file=sys.stderr)
        return EXIT_ERROR
    leaks = None
    if args.leaks is not None:
        if args.format != "html":
            print("test-auditor: error: --leaks goes with --format html", file=sys.stderr)
            return EXIT_ERROR
        leaks = _read_leaks_json(args.leaks)
        if leaks is None:
            return EXIT_ERROR
    config = _config(args, args.paths)
    rules = _chosen_rules(args, config)
    observations = None
    if args.run:
        from auditor.dynamic.runner.leaks import LeaksError
        from auditor.dynamic.runner.processes import terminate_as_exception
        from auditor.dynamic.runner.profiled_run import profile_run, scan_run_options
        from auditor.report.progress import run_progress

        options = scan_run_options(
            config,
            paths=[str(path) for path in args.paths],
            pytest_args=args.pytest_args,
            python=_suite_python(args, config),
            timeout=args.timeout,
        )
        try:
            with run_progress() as progress, terminate_as_exception():
                options.progress = progress
                observations = profile_run(config, options)
        except LeaksError as exc:
            print(f"test-auditor: error: {exc}", file=sys.stderr)
            return EXIT_ERROR
    scanned = scan(
        config, args.paths, rules=rules, build=_build_options(args), observations=observations
    )
    _report_errors(scanned.lint)
    report = scanned.report
    if args.format == "json":
        _emit(render_json(report), args.output)
    elif args.format == "markdown":
        from auditor.report.markdown import render_markdown

        _emit(render_markdown(report), args.output)
    elif args.format == "html":
        from auditor.report.html import render_scan_html

        graph = scanned.analysis.graph
        _emit(render_scan_html(report, graph=graph, rules=rules, leaks=leaks), args.output)
    else:
        from auditor.report.terminal import make_console, render_terminal

        with make_console(args.output) as console:
            render_terminal(report, console)
    if scanned.lint.errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if fails(report.findings, config.auditor.fail_on) else EXIT_CLEAN


def _read_leaks_json(path: Path) -> dict[str, Any] | None:
    """The `leaks --format json` report for `scan --leaks`; None (said why) when it is
    not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"test-auditor: error: cannot read {path}: {exc}", file=sys.stderr)
        return None
    if not isinstance(data, dict) or not {"version", "seed", "victims"} <= data.keys():
        print(f"test-auditor: error: {path} is not a `leaks --format json` report", file=sys.stderr)
        return None
    return data


def _analyse(
    args: argparse.Namespace,
    config: Config,
    scope: CheckScope,
    rules: Sequence[type[Rule]],
    prefetch: Prefetch | None,
) -> tuple[SuiteView, RunResult]:
    from auditor.lint.engine import Baseline
    from auditor.pipeline import analyse

    build = _build_options(args, helpers=False, prefetch=prefetch)
    analysis = analyse(config, build=build, scope=scope)
    baseline = Baseline.read(args.baseline) if args.baseline else None
    result = analysis.lint(rules, report_paths=scope.report_paths, baseline=baseline)
    return analysis.view, result


def run_check(args: argparse.Namespace) -> int:
    config = _config(args, args.paths)
    prefetch = _prefetch(config, args.paths)
    try:
        return _check(args, config, prefetch)
    finally:
        prefetch.close()


def _prefetch(config: Config, paths: Sequence[Path]) -> Prefetch:
    """Start parsing the files named on the command line (the changed ones, in
    pre-commit) in a child process while everything else loads."""
    files = [absolute(p) for p in paths]
    relpaths = [relpath(f, config.rootdir) for f in files if f.suffix == ".py" and f.is_file()]
    return Prefetch(config.rootdir, relpaths)


def _check(args: argparse.Namespace, config: Config, prefetch: Prefetch) -> int:
    from auditor.lint.engine import fails, fingerprints, make_baseline
    from auditor.lint.fixes import plan_fixes, write_all
    from auditor.model.check_scope import check_scope
    from auditor.report.findings import render_github, render_json, render_text

    rules = _chosen_rules(args, config)
    scope = check_scope(config, args.paths, Path.cwd())
    view, result = _analyse(args, config, scope, rules, prefetch)
    _report_errors(result)
    note = view.absent_plugins.note()
    if note:
        print(f"test-auditor: note: {note}", file=sys.stderr)
    if args.write_baseline:
        args.write_baseline.write_text(
            make_baseline(result.findings, view).render(), encoding="utf-8"
        )
        print(f"Recorded {len(result.findings)} findings in {args.write_baseline}", file=sys.stderr)
        return EXIT_ERROR if result.errors else EXIT_CLEAN
    findings = list(result.findings)
    fixed = 0
    if args.diff or args.fix:
        plan = plan_fixes(view.rootdir, findings, unsafe=args.unsafe_fixes)
        for finding, reason in plan.skipped:
            print(
                f"test-auditor: fix for {finding.rule} at {finding.path}:{finding.line} "
                f"not applied: {reason}",
                file=sys.stderr,
            )
        if args.diff:
            _emit("".join(change.diff() for change in plan.changes), args.output)
            return EXIT_FINDINGS if plan.changes else EXIT_CLEAN
        before = {t.nodeid for t in view.suite.tests}
        write_all(view.rootdir, plan.changes)
        view, result = _analyse(args, config, scope, rules, prefetch)
        lost = before - {t.nodeid for t in view.suite.tests}
        if lost:
            write_all(view.rootdir, [c.reverted() for c in plan.changes])
            print(
                f"test-auditor: the fixes would lose {len(lost)} tests "
                f"(e.g. {sorted(lost)[0]}); every file was restored",
                file=sys.stderr,
            )
            return EXIT_ERROR
        fixed = len(plan.applied)
        findings = list(result.findings)
    hidden = 0 if args.unsafe_fixes else sum(1 for f in findings if _unsafe_only(f))
    if args.format == "json":
        text = render_json(findings)
    elif args.format == "github":
        text = render_github(findings)
    elif args.format == "sarif":
        from auditor.report.sarif import render_sarif

        text = render_sarif(findings, rules, view.rootdir, fingerprints(findings, view))
    else:
        text = render_text(
            findings,
            fixed=fixed,
            hidden=hidden,
            applies=lambda f: f.fixable and (args.unsafe_fixes or not _unsafe_only(f)),
        )
    _emit(text, args.output)
    if result.errors:
        return EXIT_ERROR
    if args.exit_zero:
        return EXIT_CLEAN
    return EXIT_FINDINGS if fails(findings, config.auditor.fail_on) else EXIT_CLEAN


def _unsafe_only(finding: Finding) -> bool:
    from auditor.types import Applicability

    fix = finding.fix
    return fix is not None and fix.applies and fix.applicability is not Applicability.SAFE


def run_graph(args: argparse.Namespace) -> int:
    from auditor.pipeline import analyse

    config = _config(args, args.paths)
    analysis = analyse(config, args.paths, build=_build_options(args, helpers=False))
    resolution, graph = analysis.resolution, analysis.graph
    nodes: set[str] | None = None
    if args.test:
        nodeid = args.test.split("[")[0]
        if nodeid not in resolution.tests:
            print(f"test-auditor: no test {args.test!r} in the suite", file=sys.stderr)
            return EXIT_ERROR
        nodes = graph.closure(nodeid)
    elif args.fixture:
        nodes = graph.around_fixture(args.fixture)
        if not nodes:
            print(f"test-auditor: no fixture named {args.fixture!r}", file=sys.stderr)
            return EXIT_ERROR
    else:
        from auditor.report.graph_view import visible_nodes

        nodes = visible_nodes(graph, show_all=args.all)
    if args.format in ("mermaid", "dot"):
        text = _visual_graph(args, graph, nodes)
    else:
        text = {"json": graph.to_json, "graphml": graph.to_graphml}[args.format](nodes)
    _emit(text, args.output)
    return EXIT_CLEAN


def _visual_graph(args: argparse.Namespace, graph: FixtureGraph, nodes: set[str] | None) -> str:
    """Mermaid or DOT; above --max-nodes clustered by folder (said on stderr), and a
    warning when Mermaid would refuse the text."""
    from auditor.report.graph_view import cluster_by_folder, hidden_count, limit_warnings

    count = graph.graph.number_of_nodes() if nodes is None else len(nodes)
    mermaid = args.format == "mermaid"
    if args.max_nodes <= 0 or count <= args.max_nodes:
        text = graph.to_mermaid(nodes) if mermaid else graph.to_dot(nodes)
    else:
        clustered = cluster_by_folder(graph, nodes, collapse_fixtures=False)
        text = clustered.to_mermaid() if mermaid else clustered.to_dot()
        if len(clustered.nodes) > args.max_nodes or (mermaid and limit_warnings(text)):
            clustered = cluster_by_folder(graph, nodes, collapse_fixtures=True)
            text = clustered.to_mermaid() if mermaid else clustered.to_dot()
        what = "tests and fixtures" if clustered.fixtures_collapsed else "tests"
        hidden = 0 if args.test or args.fixture else hidden_count(graph, nodes)
        print(
            f"test-auditor: {count:,} nodes, more than --max-nodes {args.max_nodes}: the {what} "
            f"of each folder are shown as one node ({len(clustered.nodes):,} nodes, clustered "
            "by folder)"
            + (
                f"; {hidden:,} fixtures no test uses are hidden (--all shows them)"
                if hidden
                else ""
            )
            + "; --max-nodes 0 shows every node, --test or --fixture one part",
            file=sys.stderr,
        )
    if mermaid:
        for warning in limit_warnings(text):
            print(f"test-auditor: {warning}", file=sys.stderr)
    return text


def run_rules_list(args: argparse.Namespace) -> int:
    from auditor.lint.registry import all_rules

    rules = all_rules()
    if args.format == "json":
        rows = [
            {
                "code": r.code,
                "name": r.name,
                "category": r.category,
                "severity": r.severity.value,
                "fixable": r.fixable(),
                "summary": r.summary(),
            }
            for r in rules
        ]
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return EXIT_CLEAN
    width = max(len(r.name) for r in rules)
    for r in rules:
        fix = "fix" if r.fixable() else "   "
        sys.stdout.write(
            f"{r.code}  {r.name:<{width}}  {r.category:<9}  {r.severity.value:<7}  {fix}  "
            f"{r.summary()}\n"
        )
    return EXIT_CLEAN


def run_rule_doc(args: argparse.Namespace) -> int:
    from auditor.lint.registry import all_rules

    wanted = args.code.strip()
    for rule in all_rules():
        if wanted.upper() == rule.code or wanted == rule.name:
            fix = "yes" if rule.fixable() else "no"
            sys.stdout.write(
                f"# {rule.name} ({rule.code})\n\nCategory: {rule.category}. "
                f"Severity: {rule.severity.value}. Autofix: {fix}.\n\n{rule.documentation()}\n"
            )
            return EXIT_CLEAN
    print(f"test-auditor: no rule {args.code!r} (see `test-auditor rules`)", file=sys.stderr)
    return EXIT_ERROR


def run_leaks(args: argparse.Namespace) -> int:
    from auditor.dynamic.runner.leaks import LeaksError, LeaksOptions, run
    from auditor.dynamic.runner.processes import terminate_as_exception
    from auditor.report.progress import run_progress

    config = _config(args, [Path(p) for p in args.paths])
    try:
        options = LeaksOptions.build(
            config,
            paths=args.paths,
            pytest_args=args.pytest_args,
            rounds=args.rounds,
            seed=args.seed,
            budget=args.budget,
            jobs=args.jobs,
            python=_suite_python(args, config),
            timeout=args.timeout,
            probes=args.probes,
            db_url=args.db_url,
            redis_url=args.redis_url,
            coverage=args.coverage,
            shard=args.shard,
        )
        with run_progress() as progress, terminate_as_exception():
            options.progress = progress
            report = run(config, options)
    except LeaksError as exc:
        print(f"test-auditor: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if args.format == "json":
        from auditor.report.leaks_report import render_leaks_json

        _emit(render_leaks_json(report), args.output)
    elif args.format == "html":
        from auditor.report.html import render_leaks_html
        from auditor.report.leaks_report import leaks_dict

        _emit(render_leaks_html(leaks_dict(report)), args.output)
    else:
        from auditor.report.leaks_report import render_leaks_terminal
        from auditor.report.terminal import make_console

        with make_console(args.output) as console:
            render_leaks_terminal(report, console)
    return EXIT_FINDINGS if report.found_anything else EXIT_CLEAN


def run_leaks_merge(args: argparse.Namespace) -> int:
    """`leaks merge REPORT.json...`: the shards' reports joined; with --across-shards, one
    more run finds the pairs the shard boundaries hid. Nothing is written on an error."""
    from auditor.dynamic.runner.leaks import LeaksError
    from auditor.dynamic.runner.merge import MergeError, merge_files

    try:
        merged = merge_files(args.reports, allow_missing=args.allow_missing)
    except MergeError as exc:
        print(f"test-auditor: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if merged.missing:
        names = ", ".join(f"{index}/{merged.count}" for index in merged.missing)
        print(f"test-auditor: warning: shards {names} are missing", file=sys.stderr)
    if args.across_shards:
        from auditor.dynamic.runner.across_shards import hunt_across_shards, options_for
        from auditor.dynamic.runner.processes import terminate_as_exception
        from auditor.report.progress import run_progress

        config = _config(args, [Path(p) for p in merged.hunt.paths] if merged.hunt else [])
        try:
            options = options_for(
                config,
                merged,
                budget=args.budget,
                python=args.python,
                timeout=args.timeout,
                probes=args.probes,
                db_url=args.db_url,
                redis_url=args.redis_url,
            )
            with run_progress() as progress, terminate_as_exception():
                options.progress = progress
                hunt_across_shards(config, merged, options)
        except LeaksError as exc:
            print(f"test-auditor: error: {exc}", file=sys.stderr)
            return EXIT_ERROR
    report = merged.report
    if args.format == "json":
        from auditor.report.leaks_report import render_leaks_json

        _emit(render_leaks_json(report, merged.extra_json()), args.output)
    elif args.format == "html":
        from auditor.report.html import render_leaks_html
        from auditor.report.leaks_report import leaks_dict

        _emit(render_leaks_html({**leaks_dict(report), **merged.extra_json()}), args.output)
    else:
        from auditor.report.leaks_report import render_leaks_terminal
        from auditor.report.terminal import make_console

        with make_console(args.output) as console:
            render_leaks_terminal(report, console)
    return EXIT_FINDINGS if report.found_anything or merged.missing else EXIT_CLEAN


def run_migrate(args: argparse.Namespace) -> int:
    """`migrate plan|diff|apply`: 0 done (diff: no change), 1 a change to show (diff) or a
    verification that failed and was rolled back (apply), 2 a usage error or stale plan."""
    from auditor.migrate.plan_file import PlanError

    try:
        if args.migrate_command == "plan":
            return _migrate_plan(args)
        if args.migrate_command == "diff":
            return _migrate_diff(args)
        return _migrate_apply(args)
    except PlanError as exc:
        print(f"test-auditor: error: {exc}", file=sys.stderr)
        return EXIT_ERROR


def _migrate_plan(args: argparse.Namespace) -> int:
    from auditor.migrate.plan import MigrateError, make_plan
    from auditor.migrate.plan_file import DEFAULT_PLAN, write
    from auditor.migrate.summary import summary

    config = _config(args, args.paths)
    try:
        plan = make_plan(
            config,
            args.paths,
            build=_build_options(args),
            progress=lambda text: print(f"test-auditor: {text}", file=sys.stderr),
        )
    except MigrateError as exc:
        print(f"test-auditor: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    output = args.output or Path(DEFAULT_PLAN)
    write(plan, output)
    sys.stdout.write(summary(plan, output))
    return EXIT_CLEAN


def _migrate_diff(args: argparse.Namespace) -> int:
    from auditor.migrate.diff import render_diff
    from auditor.migrate.edits import EditError, build_changes
    from auditor.migrate.plan_file import StalePlan, check_fresh, read

    plan = read(args.plan)
    check_fresh(plan)
    try:
        changes = build_changes(plan.rootdir, plan)
    except (EditError, OSError) as exc:
        raise StalePlan(f"the plan's edits cannot be made: {exc}") from exc
    sys.stdout.write(render_diff(changes))
    return EXIT_FINDINGS if changes else EXIT_CLEAN


def _print_stale_references(plan: Plan) -> None:
    from auditor.migrate.stale import stale_references

    found = stale_references(plan)
    if found:
        print("Stale references to old paths or node ids (update them by hand):")
        for reference in found:
            print(f"  {reference}")


def _migrate_apply(args: argparse.Namespace) -> int:
    from auditor.dynamic.runner.processes import terminate_as_exception
    from auditor.migrate.apply import apply_plan
    from auditor.migrate.plan_file import read
    from auditor.migrate.verify import VerifyError

    plan = read(args.plan)
    config = load_config([], invocation_dir=plan.rootdir, rootdir=plan.rootdir)
    try:
        with terminate_as_exception():
            outcome = apply_plan(
                plan,
                python=_suite_python(args, config),
                run=args.run,
                timeout=args.timeout,
                say=lambda text: print(f"test-auditor: {text}", file=sys.stderr),
                commit=args.commit,
            )
    except VerifyError as exc:
        print(
            f"test-auditor: error: pytest cannot collect the suite as it is: {exc}", file=sys.stderr
        )
        return EXIT_ERROR
    for note in outcome.notes:
        print(f"test-auditor: {note}", file=sys.stderr)
    if outcome.exposed:
        print("Order-dependent tests (exposed by the new order, not broken by the change):")
        for line in outcome.exposed:
            print(f"  {line}")
    if outcome.applied:
        kinds = Counter(op.kind for op in plan.applied)
        print(
            f"Applied and verified: {kinds['move']} modules moved, {kinds['rename']} renamed, "
            f"{kinds['split']} split, {kinds['rewrite']} rewritten, {kinds['mark']} marked, "
            f"{kinds['hoist']} fixtures hoisted, {kinds['codemod']} codemods."
        )
        _print_stale_references(plan)
        if outcome.commit_failed:
            print(
                f"test-auditor: error: the change is applied and verified, not committed: "
                f"{outcome.commit_failed}",
                file=sys.stderr,
            )
            return EXIT_ERROR
        return EXIT_CLEAN
    if not outcome.differences:
        return EXIT_CLEAN  # nothing to apply
    print("Verification failed; every file was put back. What differed:")
    for line in outcome.differences:
        print(f"  {line}")
    for line in outcome.not_restored:
        print(f"test-auditor: NOT RESTORED: {line}", file=sys.stderr)
    return EXIT_FINDINGS
