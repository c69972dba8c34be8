"""`migrate plan`: the operations that put each test module in its tier's folder and mark
it, each statically proven or held back with its hazard.

From the analysis of the suite (pytest's default collection, so the proof sees what a bare
``pytest`` collects): a module whose tests are all one tier gets a ``move`` to the layout's
folder of that tier (when it is elsewhere) and a ``mark`` (``pytestmark``); the markers get
a ``register`` in the config file pytest reads; a module whose tests span tiers gets a
``split`` (one module per tier); a fixture duplicated across modules a ``hoist``
(:mod:`auditor.migrate.hoist`), the safe fixes of `check` a ``codemod``
(:mod:`auditor.migrate.codemods`). Then the hazards a model cannot see
(imports, ``__file__``) hold moves back, and the proof (:mod:`auditor.migrate.proof`) runs on
the planned tree until every operation left is proven.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path, PurePosixPath

from auditor.config import Config
from auditor.migrate import git
from auditor.migrate.codemods import CodemodError, codemod_operations, run_codemod
from auditor.migrate.creates import with_creates
from auditor.migrate.edits import (
    Changes,
    EditError,
    build_changes,
    first_party_for,
    has_module_marker,
    mark_module,
    marker_line,
    marker_names,
    register_markers,
    split_changes,
)
from auditor.migrate.follow import conftests_following
from auditor.migrate.hazards import Tree, dotted_names, move_hazards, package_root
from auditor.migrate.helper_ops import NotATestError, helper_operations, not_a_test
from auditor.migrate.hoist import hoist_operations, hoisted_scope_hazards, prepare
from auditor.migrate.layout import moved_nodeid, target_of
from auditor.migrate.names import Moves
from auditor.migrate.plan_file import Operation, Plan, hashes
from auditor.migrate.proof import compare, model_of, planned_tree
from auditor.migrate.proof_cache import known_summaries, unchanged_summaries
from auditor.migrate.rewrites import moves_of, with_rewrites
from auditor.migrate.split_plan import split_operation
from auditor.migrate.unseen import unseen_by_module
from auditor.model.build import BuildOptions
from auditor.model.suite import TestItem
from auditor.paths import absolute, relpath
from auditor.pipeline import Analysis, analyse

MAX_PROOF_ROUNDS = 6
PROVEN = ("move", "rename", "split", "rewrite", "notest", "mark", "hoist", "codemod")
"""The kinds of operation the proof is about (the rest follow from them)."""
UNSEEN_HOLDS = ("move", "mark", "split")
"""What a module's tests the model does not see hold back (:mod:`auditor.migrate.unseen`)."""


class MigrateError(ValueError):
    """The suite cannot be planned for (exit code 2)."""


def make_plan(
    config: Config,
    paths: Sequence[Path] = (),
    *,
    build: BuildOptions | None = None,
    invocation_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> Plan:
    """The plan for the test modules under ``paths`` (default: the whole suite)."""
    say = progress or (lambda _text: None)
    where = invocation_dir or Path.cwd()
    rootdir = config.rootdir
    if config.inifile is not None and rootdir not in config.inifile.parents:
        raise MigrateError(f"the config file {config.inifile} is outside the rootdir {rootdir}")
    wanted = tuple(relpath(absolute(p, where), rootdir) for p in paths)
    say("modelling the suite")
    analysis = analyse(config, [], build=build, invocation_dir=where)
    operations = _operations(analysis, wanted)
    _say_unseen(analysis, wanted, say)
    operations, files = _static_hazards(analysis, operations)
    plan = Plan(
        rootdir=rootdir,
        operations=tuple(operations),
        base_commit=git.head(rootdir) if git.work_tree(rootdir) else None,
        paths=wanted,
    )
    plan = _without_idle_registration(_prove(analysis, plan, files, say))
    touched = [p for op in plan.operations for p in (op.path, *op.copies)]
    return replace(plan, files=hashes(rootdir, touched))


def _say_unseen(analysis: Analysis, wanted: Sequence[str], say: Callable[[str], None]) -> None:
    """Name the test modules the plan leaves alone because the model sees none of their
    tests, only classes pytest's rules do not collect (:mod:`auditor.migrate.unseen`)."""
    suite = analysis.suite
    seen = {test.path for test in suite.tests}
    empty = [p for p in suite.test_files if p not in seen and _under(p, wanted)]
    unseen = sorted(
        unseen_by_module(suite.modules, suite.tests, empty, analysis.config.pytest.python_functions)
    )
    if unseen:
        shown = ", ".join(unseen[:3]) + (", ..." if len(unseen) > 3 else "")
        say(
            f"{len(unseen)} test module{'s' * (len(unseen) != 1)} left alone: the model sees "
            f"no test in them, only classes pytest's rules do not collect (a plugin may): {shown}"
        )


def _under(path: str, wanted: Sequence[str]) -> bool:
    return not wanted or any(
        w in (".", "") or path == w or path.startswith(w.rstrip("/") + "/") for w in wanted
    )


def _evidence(tests: Sequence[TestItem], analysis: Analysis) -> tuple[str, ...]:
    """The decisive evidence of the module's tests, most common first."""
    counted: Counter[str] = Counter()
    for test in tests:
        tier = analysis.tiers.tests.get(test.nodeid)
        if tier is not None and tier.evidence:
            counted[f"{tier.tier}: {tier.evidence[0]}"] += 1
        elif tier is not None:
            counted[f"{tier.tier}: no evidence of a heavier tier"] += 1
    return tuple(
        f"{text} ({count} test{'s' * (count != 1)})" for text, count in counted.most_common(3)
    )


def _operations(analysis: Analysis, wanted: Sequence[str]) -> list[Operation]:
    config, suite = analysis.config, analysis.suite
    settings = config.auditor.migrate
    names = analysis.tiers.names
    modules: dict[str, list[TestItem]] = {}
    for test in suite.tests:
        modules.setdefault(test.path, []).append(test)
    moves: list[Operation] = []
    marks: list[Operation] = []
    splits: list[Operation] = []
    for path in sorted(modules):
        if not _under(path, wanted):
            continue
        tests = modules[path]
        tiers = Counter(
            analysis.tiers.tests[t.nodeid].tier for t in tests if t.nodeid in analysis.tiers.tests
        )
        evidence = _evidence(tests, analysis)
        if len(tiers) != 1:
            splits.append(split_operation(analysis, path, tests, evidence, len(splits) + 1))
            continue
        tier = next(iter(tiers))
        target = target_of(path, tier, settings, names) or path
        if target != path:
            nodeids = tuple((t.nodeid, moved_nodeid(t.nodeid, {path: target})) for t in tests)
            moves.append(
                Operation(
                    id=f"move-{len(moves) + 1:03d}",
                    kind="move",
                    path=path,
                    tier=tier,
                    target=target,
                    evidence=evidence,
                    nodeids=nodeids,
                )
            )
        marker = settings.marker(tier)
        source = config.rootdir / path
        if not has_module_marker(source.read_bytes(), marker):
            marks.append(
                Operation(
                    id=f"mark-{len(marks) + 1:03d}",
                    kind="mark",
                    path=path,
                    tier=tier,
                    marker=marker,
                    evidence=evidence,
                    tests=tuple(t.nodeid for t in tests),
                )
            )
    moves += conftests_following(analysis, moves)
    helpers = helper_operations(analysis, lambda path: _under(path, wanted))
    registration = _registration(config, [*marks, *splits])
    hoists = hoist_operations(analysis, [*moves, *helpers], lambda path: _under(path, wanted))
    codemods = codemod_operations(analysis, lambda path: _under(path, wanted))
    return with_creates(
        config.rootdir, [*moves, *helpers, *marks, *registration, *splits, *hoists, *codemods]
    )


def _registration(config: Config, marks: Sequence[Operation]) -> list[Operation]:
    """The ``register`` operation for the markers of ``marks`` (marks and splits)."""
    registered = set(marker_names(config.pytest.markers))
    wanted = {op.marker: op.tier for op in marks if op.marker and op.marker not in registered}
    for op in marks:
        for (tier, _), marker in zip(op.parts, op.markers, strict=False):
            if marker not in registered:
                wanted[marker] = tier
    if not wanted:
        return []
    lines = tuple(marker_line(marker, tier) for marker, tier in sorted(wanted.items()))
    if config.inifile is None:
        return [
            Operation(id="register-001", kind="register", path="(none)", markers=lines).held(
                "no pytest config file: registering the markers would create one"
            )
        ]
    path = relpath(config.inifile, config.rootdir)
    op = Operation(id="register-001", kind="register", path=path, markers=lines)
    try:
        register_markers(config.inifile, config.inifile.read_bytes(), lines)
    except (EditError, OSError) as exc:
        return [op.held(f"cannot register the markers in {path} keeping its format: {exc}")]
    return [op]


def _static_hazards(
    analysis: Analysis, operations: list[Operation]
) -> tuple[list[Operation], list[str]]:
    """Hold back what the model cannot prove: imports and paths that cannot be rewritten
    (hazards.py, rewrites.py), targets that exist or that two moves share, marks that
    cannot be merged, marks without their registration. Also the Python files whose
    imports may name a moved module."""
    config, suite = analysis.config, analysis.suite
    rootdir = config.rootdir
    moves = [op for op in operations if op.kind in ("move", "rename")]
    targets = Counter(op.target for op in moves)
    folders = {str(PurePosixPath(p).parent) for p in suite.test_files}
    files = sorted(
        {
            *suite.test_files,
            *suite.conftests,
            *suite.helpers,
            *(relpath(f, rootdir) for folder in folders for f in (rootdir / folder).glob("*.py")),
        }
    )
    stable = [
        PurePosixPath(
            relpath(absolute(p, config.inifile.parent if config.inifile else rootdir), rootdir)
        )
        for p in config.pytest.pythonpath
    ]
    stable += [
        package_root(PurePosixPath(c).parent, lambda f: (rootdir / f / "__init__.py").is_file())
        for c in suite.conftests
    ]
    tree = Tree(
        rootdir=rootdir,
        files=files,
        moves={op.path: op.target for op in moves},
        created=frozenset(c for op in moves for c in op.creates),
        stable_roots=list(dict.fromkeys(stable)),
    )
    renamed = moves_of(rootdir, operations).renamed
    unseen = unseen_by_module(
        {**suite.helpers, **suite.modules},
        suite.tests,
        {op.path for op in operations if op.kind in UNSEEN_HOLDS},
        config.pytest.python_functions,
    )
    result: list[Operation] = []
    for op in operations:
        if op.kind in UNSEEN_HOLDS and op.path in unseen:
            op = op.held(*unseen[op.path])
        if op.kind in ("move", "rename"):
            hazards = move_hazards(tree, op.path, op.target, renamed)
            if (rootdir / op.target).exists():
                hazards.append(f"{op.target} exists already")
            if targets[op.target] > 1:
                hazards.append(f"another module would move to {op.target} too")
            op = op.held(*hazards) if hazards else op
        elif op.kind == "mark":
            try:
                local = first_party_for(rootdir, op.path, operations)
                mark_module((rootdir / op.path).read_bytes(), op.marker, local)
            except EditError as exc:
                op = op.held(str(exc))
        elif op.kind == "notest":
            try:
                not_a_test((rootdir / op.path).read_bytes(), op.name)
            except NotATestError as exc:
                op = op.held(str(exc))
        elif op.kind == "split" and op.apply:
            op = _split_hazards(tree, op, renamed)
        elif op.kind == "hoist":
            op = _hoist_hazards(analysis, tree, op, renamed, operations)
        elif op.kind == "codemod" and op.apply:
            op = _codemod_hazards(rootdir, op, operations)
        result.append(op)
    registration = next((op for op in result if op.kind == "register"), None)
    if registration is not None and not registration.apply:
        why = f"marker registration held back ({registration.id})"
        result = [op.held(why) if op.kind in ("mark", "split") else op for op in result]
    return with_rewrites(rootdir, files, result), files


def _hoist_hazards(
    analysis: Analysis,
    tree: Tree,
    op: Operation,
    renamed: dict[str, str],
    operations: Sequence[Operation],
) -> Operation:
    """A hoist held back for what its copies or its conftest would not keep."""
    split = {o.path for o in operations if o.kind == "split" and o.apply}
    hazards = [f"{copy} is split by the plan" for copy in op.copies if copy in split]
    hazards += hoisted_scope_hazards(analysis, op)
    for copy in op.copies:  # another module imports the copy by name: it must stay
        for module in dotted_names(copy, tree.has_init_before):
            for other, line, _ in tree.importers.get(f"{module}.{op.name}", ()):
                hazards.append(f"{other} imports `{op.name}` from {copy} (line {line})")
    hazards += prepare(tree.rootdir, op, tree=tree, renamed=renamed, moves=tree.moves).hazards
    return op.held(*hazards) if hazards else op


def _codemod_hazards(rootdir: Path, op: Operation, operations: Sequence[Operation]) -> Operation:
    """A codemod held back on a module the plan splits, or that it cannot change."""
    if any(o.kind == "split" and o.apply and o.path == op.path for o in operations):
        return op.held(f"{op.path} is split by the plan")
    try:
        run_codemod((rootdir / op.path).read_bytes(), op)
    except (CodemodError, OSError) as exc:
        return op.held(str(exc))
    return op


def _split_hazards(tree: Tree, op: Operation, renamed: dict[str, str]) -> Operation:
    """A split held back for what its parts' places would break (imports of the module,
    plain-name imports, a part's path taken) or an edit that cannot be made."""
    hazards = []
    for _, target in op.parts:
        hazards += move_hazards(tree, op.path, target, renamed)
        if target != op.path and (tree.rootdir / target).exists():
            hazards.append(f"{target} exists already")
    try:
        moves = Moves(tree.rootdir, dict(tree.moves), tree.created)
        split_changes(tree.rootdir, op, moves, Changes(), [])
    except (EditError, OSError) as exc:
        hazards.append(str(exc))
    return op.held(*dict.fromkeys(hazards)) if hazards else op


def _prove(
    analysis: Analysis, plan: Plan, files: Sequence[str], say: Callable[[str], None]
) -> Plan:
    """Model the planned tree; hold back the operations the differences are charged to,
    and again, until what is left is proven (or nothing is left)."""
    known = known_summaries(analysis)
    with tempfile.TemporaryDirectory(prefix="test-auditor-proof-cache-") as cache:
        for round_ in range(1, MAX_PROOF_ROUNDS + 1):
            if not any(op.kind in PROVEN for op in plan.applied):
                return plan
            say(f"proving the plan on a model of the planned tree (round {round_})")
            try:
                changes = build_changes(analysis.config.rootdir, plan)
            except EditError as exc:  # pragma: no cover - each edit was tried alone
                return _hold_all(plan, f"the edits do not combine: {exc}")
            with planned_tree(analysis.config.rootdir, plan, changes) as tree:
                unchanged = unchanged_summaries(known, changes)
                after = model_of(tree, analysis.config, analysis, Path(cache), unchanged)
                findings = compare(analysis, after, plan)  # reads the tree's __init__.py
            if not findings:
                return plan
            held = False
            operations = []
            for op in plan.operations:
                problems: list[str] = []
                if op.apply and op.kind in ("move", "rename", "split"):
                    problems = findings.by_module.get(op.path, [])
                elif op.apply and op.kind == "hoist":
                    problems = findings.hoists.get(op.id, [])
                elif op.apply and op.kind == "codemod":
                    problems = findings.codemods.get(op.path, [])
                elif op.apply and op.kind == "mark":
                    problems = findings.marks.get(op.path, [])
                    if not plan.moves().get(op.path):
                        problems = problems + findings.by_module.get(op.path, [])
                if problems:
                    op = op.held(*problems)
                    held = True
                operations.append(op)
            rootdir = analysis.config.rootdir
            plan = plan.with_operations(with_rewrites(rootdir, files, operations))
            if not held:
                everything = [
                    *findings.general,
                    *(p for ps in findings.by_module.values() for p in ps),
                ]
                return _hold_all(plan, "the planned tree differs: " + "; ".join(everything[:3]))
    return _hold_all(plan, f"not proven after {MAX_PROOF_ROUNDS} rounds")


def _without_idle_registration(plan: Plan) -> Plan:
    if any(op.kind in ("mark", "split") for op in plan.applied):
        return plan
    return plan.with_operations(
        op.held("no mark is applied") if op.kind == "register" and op.apply else op
        for op in plan.operations
    )


def _hold_all(plan: Plan, why: str) -> Plan:
    return plan.with_operations(
        op.held(why) if op.apply and op.kind in PROVEN else op for op in plan.operations
    )
