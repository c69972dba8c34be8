"""Executions and wall time of `test-auditor leaks` against pytest-randomly,
detect-test-pollution and iPFlakies on one suite with known answers (issue 5, acceptance 2).

    .venv/bin/python -m benchmarks.bench_leaks [--suite PATH] [--seed 1] [--json]
        [--only test-auditor,randomly,dtp,ipflakies] [--randomly-cap 50]
        [--ipflakies-rounds 100] [--ipflakies-pairs] [--pip PKG ...]

The suite (default: tests/samples/leaks) must have an EXPECTED.toml with ``[[pair]]``
(polluter, victim, state), ``[[brittle]]`` (nodeid, setter), ``[[cleaner]]`` (nodeid,
polluter, victim) and ``[[flaky]]`` (nodeid). A cleaner's polluter and victim are a pair
too (``pytest POLLUTER VICTIM`` fails), so they are counted among the expected pairs.
Every run works on a fresh copy of the suite (runs leave files in it); the copies live in
a temporary folder that is removed at the end.

What runs:

1. ``test-auditor leaks --format json --seed S`` from this checkout's venv. Executions are
   its own ``test_executions``; the counting plugin below runs in its pytest processes
   too, as a cross-check. Budget of acceptance 2: 3 x suite size + 4 x expected pairs.
2. pytest-randomly: ``python -m pytest -p randomly -p no:test-auditor --randomly-seed=S``
   for S = 1, 2, ... until the failing tests of all rounds cover every expected victim,
   or ``--randomly-cap`` rounds. pytest-randomly names no polluter: it only shows that a
   test failed in some order.
3. detect-test-pollution: ``detect-test-pollution --failing-test VICTIM --tests DIR``
   once per expected victim; it bisects the whole suite in front of the victim and
   prints ``the polluting test is: X``.
4. iPFlakies: ``python -m ipflakies -i ROUNDS`` (its iDFlakies mode: random orders with
   pytest-random-order, then reruns to tell non-deterministic from order-dependent, and
   victim from brittle). With ``--ipflakies-pairs`` also ``python -m ipflakies -t VICTIM``
   per expected victim (its polluter minimizer, which runs every other test in front of
   the victim, then searches cleaners and writes patches; its polluters are read from
   ``minimized.json``, or from its stdout when its patcher crashes before writing that
   file, which it does here on one victim). iPFlakies 1.1.1 reads
   ``os.get_terminal_size()`` at import and dies without a terminal; it is started
   through a two-line shim that stubs that one call. It pins pytest 6.2.5, so it gets a
   venv of its own.

The other tools are installed from the package registry with pip into venvs under
``$TEST_AUDITOR_BENCH_CACHE`` (default ``~/.cache/test-auditor-bench``):
``leak-tools`` (pytest, pytest-randomly, detect-test-pollution) and
``leak-tools-ipflakies``, each with the suite's ``[project] dependencies`` and the
``--pip`` extras. Nothing else is fetched.

How executions are counted for the other tools (and cross-checked for test-auditor):
a tiny pytest plugin, ``bench_leaks_count``, is written to the cache folder and loaded
in every pytest process through ``PYTHONPATH`` and ``PYTEST_ADDOPTS=-p bench_leaks_count``
(both tools start pytest as ``python -m pytest`` with the environment they inherit, and
pytest reads PYTEST_ADDOPTS in every process). At ``pytest_runtest_logfinish`` it
appends one line per test item run (process id, outcome, node id) to the file named by
``BENCH_LEAKS_COUNT``. Executions = lines; pytest runs = distinct process ids among them
(runs that only collected are not counted). This counts what really ran, whatever the
tool prints, and gives pytest-randomly's failing tests per round.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.suites import DEFAULT_CACHE_DIR

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "tests" / "samples" / "leaks"
TOOLS_VENV = DEFAULT_CACHE_DIR / "leak-tools"
IPFLAKIES_VENV = DEFAULT_CACHE_DIR / "leak-tools-ipflakies"
PLUGIN_DIR = DEFAULT_CACHE_DIR / "leak-tools-plugin"
PLUGIN = "bench_leaks_count"
TOOLS = ("test-auditor", "randomly", "dtp", "ipflakies")
COPY_IGNORE = shutil.ignore_patterns(
    ".pytest_cache", "__pycache__", "ipflakies_result", "ipflakies_log", "cache"
)
IPFLAKIES_SHIM = (
    "import os, runpy; os.get_terminal_size = lambda *a: os.terminal_size((100, 40)); "
    "runpy.run_module('ipflakies', run_name='__main__', alter_sys=True)"
)

PLUGIN_SOURCE = '''\
"""bench_leaks: one line per test item pytest ran (process, outcome, node id)."""
import os

_OUTCOMES = {}


def pytest_collection_finish(session):
    path = os.environ.get("BENCH_LEAKS_COLLECT")
    if path:
        with open(path, "w", encoding="utf-8") as f:
            f.writelines(item.nodeid + "\\n" for item in session.items)


def pytest_runtest_logreport(report):
    old = _OUTCOMES.get(report.nodeid, "passed")
    if report.failed or old == "failed":
        _OUTCOMES[report.nodeid] = "failed"
    elif report.skipped:
        _OUTCOMES[report.nodeid] = "skipped"
    else:
        _OUTCOMES[report.nodeid] = old


def pytest_runtest_logfinish(nodeid, location):
    path = os.environ.get("BENCH_LEAKS_COUNT")
    if path:
        outcome = _OUTCOMES.pop(nodeid, "passed")
        with open(path, "a", encoding="utf-8") as f:
            f.write(f"{os.getpid()}\\t{outcome}\\t{nodeid}\\n")
'''


class SetupError(Exception):
    """A tool could not be installed or started; the message is one line."""


@dataclass(frozen=True)
class Expected:
    pairs: frozenset[tuple[str, str]]
    states: dict[tuple[str, str], str]
    brittle: frozenset[tuple[str, str]]
    cleaners: frozenset[tuple[str, str, str]]
    flaky: frozenset[str]

    @property
    def victims(self) -> list[str]:
        return sorted({victim for _, victim in self.pairs})

    def polluters_of(self, victim: str) -> set[str]:
        return {p for p, v in self.pairs if v == victim}


@dataclass
class Counted:
    executions: int = 0
    runs: int = 0
    failed: set[str] = field(default_factory=set)


@dataclass
class Result:
    tool: str
    executions: int | None = None
    pytest_runs: int | None = None
    seconds: float = 0.0
    victims_found: list[str] = field(default_factory=list)
    pairs_right: list[list[str]] = field(default_factory=list)
    pairs_missed: list[list[str]] = field(default_factory=list)
    pairs_wrong: list[list[str]] = field(default_factory=list)
    names_polluters: bool = True
    classifies: bool = True  # tells flaky and brittle tests apart from victims
    flaky: list[str] = field(default_factory=list)
    brittle: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Run:
    returncode: int | None  # None: timed out and killed
    stdout: str
    stderr: str
    seconds: float


def run(cmd: Sequence[str | Path], cwd: Path, env: dict[str, str] | None, timeout: float) -> Run:
    """Run one command in its own process group; on timeout kill that group."""
    started = time.perf_counter()
    with subprocess.Popen(
        [str(c) for c in cmd],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    ) as proc:
        try:
            out, err = proc.communicate(timeout=timeout)
            code: int | None = proc.returncode
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            code = None
    return Run(code, out, err, time.perf_counter() - started)


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"


def load_expected(suite: Path) -> Expected:
    path = suite / "EXPECTED.toml"
    if not path.is_file():
        raise SystemExit(f"{path} is missing: the benchmark needs the known answers")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    pairs = {(p["polluter"], p["victim"]) for p in data.get("pair", [])}
    states = {(p["polluter"], p["victim"]): p.get("state", "") for p in data.get("pair", [])}
    cleaners = {(c["nodeid"], c["polluter"], c["victim"]) for c in data.get("cleaner", [])}
    pairs |= {(p, v) for _, p, v in cleaners}
    return Expected(
        pairs=frozenset(pairs),
        states=states,
        brittle=frozenset((b["nodeid"], b.get("setter", "")) for b in data.get("brittle", [])),
        cleaners=frozenset(cleaners),
        flaky=frozenset(f["nodeid"] for f in data.get("flaky", [])),
    )


def suite_requirements(suite: Path) -> list[str]:
    pyproject = suite / "pyproject.toml"
    if not pyproject.is_file():
        return []
    project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
    return [str(r) for r in project.get("dependencies", [])]


def ensure_venv(path: Path, packages: Sequence[str]) -> Path:
    """A venv at path with packages installed (once; reinstalled if the list changes)."""
    python = path / "bin" / "python"
    marker = path / "bench-packages.txt"
    wanted = "\n".join(sorted(packages))
    if python.exists() and marker.is_file() and marker.read_text() == wanted:
        return python
    if not python.exists():
        made = run([sys.executable, "-m", "venv", path], Path.cwd(), None, 300)
        if made.returncode != 0:
            raise SetupError(f"venv {path}: {last_line(made.stderr)}")
    pip = run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *packages],
        Path.cwd(),
        None,
        1200,
    )
    if pip.returncode != 0:
        raise SetupError(f"pip install {' '.join(packages)}: {last_line(pip.stderr)}")
    marker.write_text(wanted)
    return python


def write_plugin() -> Path:
    PLUGIN_DIR.mkdir(parents=True, exist_ok=True)
    target = PLUGIN_DIR / f"{PLUGIN}.py"
    if not target.is_file() or target.read_text() != PLUGIN_SOURCE:
        target.write_text(PLUGIN_SOURCE)
    return PLUGIN_DIR


def counting_env(count_file: Path, venv: Path | None = None) -> dict[str, str]:
    """The environment of a tool's run: the counting plugin on, the venv first on PATH."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTEST_ADDOPTS", "PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}
    }
    env["PYTHONPATH"] = str(PLUGIN_DIR)
    env["PYTEST_ADDOPTS"] = f"-p {PLUGIN}"
    env["BENCH_LEAKS_COUNT"] = str(count_file)
    if venv is not None:
        env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        env["VIRTUAL_ENV"] = str(venv)
    return env


def read_counts(count_file: Path) -> Counted:
    counted = Counted()
    if not count_file.is_file():
        return counted
    pids: set[str] = set()
    for line in count_file.read_text(encoding="utf-8").splitlines():
        pid, outcome, nodeid = line.split("\t", 2)
        pids.add(pid)
        counted.executions += 1
        if outcome == "failed":
            counted.failed.add(nodeid)
    counted.runs = len(pids)
    return counted


class Workspace:
    """Fresh copies of the suite and count files, all in one temporary folder.

    The suite is snapshotted once (files that vanish while it is read, such as a
    database journal of a run going on in the original, are skipped), and every copy
    is made from that snapshot, so all tools see the same files.
    """

    def __init__(self, suite: Path, root: Path) -> None:
        self.root = root
        self.n = 0
        self.snapshot = root / "snapshot" / suite.name
        try:
            shutil.copytree(suite, self.snapshot, ignore=COPY_IGNORE)
        except shutil.Error as exc:
            vanished = [e for e in exc.args[0] if not Path(e[0]).exists()]
            if len(vanished) != len(exc.args[0]):
                raise

    def copy(self) -> Path:
        self.n += 1
        target = self.root / f"copy{self.n}" / self.snapshot.name
        shutil.copytree(self.snapshot, target)
        return target

    def count_file(self) -> Path:
        self.n += 1
        return self.root / f"count{self.n}.tsv"


def collect(ws: Workspace, python: Path, timeout: float) -> list[str]:
    work = ws.copy()
    out = ws.root / "collected.txt"
    env = counting_env(ws.count_file())
    env["BENCH_LEAKS_COLLECT"] = str(out)
    done = run([python, "-m", "pytest", "--collect-only", "-q"], work, env, timeout)
    if not out.is_file():
        raise SystemExit(f"collecting the suite failed: {last_line(done.stdout + done.stderr)}")
    return [line for line in out.read_text().splitlines() if line]


def score_pairs(result: Result, found: Iterable[tuple[str, str]], expected: Expected) -> None:
    got = set(found)
    result.pairs_right = [list(p) for p in sorted(got & expected.pairs)]
    result.pairs_missed = [list(p) for p in sorted(expected.pairs - got)]
    result.pairs_wrong = [list(p) for p in sorted(got - expected.pairs)]


# -- test-auditor ------------------------------------------------------------------------


def bench_auditor(
    ws: Workspace, expected: Expected, size: int, seed: int, timeout: float
) -> Result:
    result = Result("test-auditor")
    exe = Path(sys.executable).with_name("test-auditor")
    if not exe.exists():
        found = shutil.which("test-auditor")
        if found is None:
            result.error = "test-auditor is not installed in this interpreter's venv"
            return result
        exe = Path(found)
    write_plugin()
    count_file = ws.count_file()
    env = counting_env(count_file)
    cmd: list[str | Path] = [exe, "leaks", "--format", "json", "--seed", str(seed)]
    done = run(cmd, ws.copy(), env, timeout)
    result.seconds = done.seconds
    if done.returncode is None:
        result.error = f"timed out after {timeout:.0f} s"
        return result
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        result.error = f"exit {done.returncode}: {last_line(done.stderr or done.stdout)}"
        return result
    counted = read_counts(count_file)
    result.executions = int(report["test_executions"])
    result.pytest_runs = counted.runs or None
    result.extra["executions_counted_by_plugin"] = counted.executions
    result.extra["rounds"] = [
        {"label": r.get("label"), "tests": r.get("tests"), "failures": len(r.get("failures", []))}
        for r in report.get("rounds", [])
    ]
    pairs = [(p["polluter"], p["victim"]) for p in report.get("pairs", [])]
    score_pairs(result, pairs, expected)
    result.victims_found = sorted(v["nodeid"] for v in report.get("victims", []))
    result.flaky = sorted(f["nodeid"] for f in report.get("flaky", []))
    result.brittle = sorted(
        f"{b['nodeid']} <- {', '.join(b.get('state_setters', []))}"
        for b in report.get("brittle", [])
    )
    cleaners = sorted(
        f"{c['nodeid']} ({c['polluter']} -> {c['victim']})" for c in report.get("cleaners", [])
    )
    result.extra["cleaners"] = cleaners
    result.extra["unresolved"] = report.get("unresolved", [])
    result.extra["failing"] = report.get("failing", [])
    state_by_pair = {(p["polluter"], p["victim"]): p.get("state", []) for p in report["pairs"]}
    wrong_state = [
        f"{p} -> {v}: wants {want!r}"
        for (p, v), want in sorted(expected.states.items())
        if (p, v) in state_by_pair
        and want
        and not any(want.lower() in s.lower() for s in state_by_pair[(p, v)])
    ]
    result.extra["state_mismatch"] = wrong_state
    budget = 3 * size + 4 * len(expected.pairs)
    result.extra["budget"] = budget
    result.extra["within_budget"] = result.executions <= budget
    result.notes.append(
        f"budget 3 x {size} tests + 4 x {len(expected.pairs)} pairs = {budget}: "
        f"{'within' if result.executions <= budget else 'OVER'} ({result.executions})"
    )
    if counted.executions and counted.executions != result.executions:
        result.notes.append(
            f"counting plugin saw {counted.executions} executions, the report says "
            f"{result.executions}"
        )
    flaky_missed = sorted(expected.flaky - set(result.flaky))
    flaky_extra = sorted(set(result.flaky) - expected.flaky)
    if flaky_missed:
        result.notes.append(f"flaky not reported: {', '.join(flaky_missed)}")
    if flaky_extra:
        result.notes.append(f"reported flaky but not flaky: {', '.join(flaky_extra)}")
    found_brittle = {(b["nodeid"], s) for b in report["brittle"] for s in b["state_setters"]}
    for nodeid, setter in sorted(expected.brittle - found_brittle):
        result.notes.append(f"brittle not reported: {nodeid} <- {setter}")
    for nodeid, setter in sorted(found_brittle - expected.brittle):
        result.notes.append(f"reported brittle but not expected: {nodeid} <- {setter}")
    found_cleaners = {(c["nodeid"], c["polluter"], c["victim"]) for c in report["cleaners"]}
    for c in sorted(expected.cleaners - found_cleaners):
        result.notes.append(f"cleaner not reported: {c[0]} ({c[1]} -> {c[2]})")
    if wrong_state:
        result.notes += [f"state lacks the expected text: {w}" for w in wrong_state]
    return result


# -- pytest-randomly ---------------------------------------------------------------------


def bench_randomly(
    ws: Workspace, expected: Expected, python: Path, cap: int, timeout: float
) -> Result:
    result = Result("pytest-randomly", names_polluters=False, classifies=False)
    targets = set(expected.victims)
    seen: set[str] = set()
    failed_all: set[str] = set()
    executions = runs = rounds = 0
    first_seen: dict[str, int] = {}
    for seed in range(1, cap + 1):
        count_file = ws.count_file()
        cmd: list[str | Path] = [
            python,
            "-m",
            "pytest",
            "-p",
            "randomly",
            "-p",
            "no:test-auditor",
            f"--randomly-seed={seed}",
            "-q",
        ]
        done = run(cmd, ws.copy(), counting_env(count_file, python.parent.parent), timeout)
        result.seconds += done.seconds
        rounds = seed
        counted = read_counts(count_file)
        if counted.executions == 0:
            result.error = f"seed {seed}: no test ran: {last_line(done.stdout + done.stderr)}"
            break
        executions += counted.executions
        runs += counted.runs
        failed_all |= counted.failed
        for nodeid in counted.failed & targets:
            first_seen.setdefault(nodeid, seed)
        seen |= counted.failed & targets
        if seen >= targets:
            break
    result.executions = executions
    result.pytest_runs = runs
    result.victims_found = sorted(seen)
    result.extra["rounds"] = rounds
    result.extra["first_seen_in_round"] = first_seen
    result.extra["never_seen"] = sorted(targets - seen)
    result.extra["other_failures"] = sorted(failed_all - targets)
    result.notes.append(
        f"{rounds} rounds (seeds 1..{rounds}); "
        + ("every expected victim failed at least once" if seen >= targets else "cap reached")
    )
    if targets - seen:
        result.notes.append(f"victims never seen failing: {', '.join(sorted(targets - seen))}")
    if failed_all - targets:
        result.notes.append(
            "also failed (brittle/flaky, not told apart from victims): "
            + ", ".join(sorted(failed_all - targets))
        )
    result.notes.append(
        "pytest-randomly names no polluter: each victim still needs a bisection "
        "(detect-test-pollution or by hand)"
    )
    return result


# -- detect-test-pollution ---------------------------------------------------------------

DTP_FOUND = re.compile(r"the polluting test is: (\S+)")


def bench_dtp(
    ws: Workspace, expected: Expected, python: Path, tests_dir: str, timeout: float
) -> Result:
    result = Result("detect-test-pollution", classifies=False)
    exe = python.with_name("detect-test-pollution")
    found: list[tuple[str, str]] = []
    executions = runs = 0
    per_victim: dict[str, Any] = {}
    for victim in expected.victims:
        count_file = ws.count_file()
        cmd: list[str | Path] = [exe, "--failing-test", victim, "--tests", tests_dir]
        done = run(cmd, ws.copy(), counting_env(count_file, python.parent.parent), timeout)
        counted = read_counts(count_file)
        result.seconds += done.seconds
        executions += counted.executions
        runs += counted.runs
        match = DTP_FOUND.search(done.stdout)
        if done.returncode is None:
            outcome = f"timed out after {timeout:.0f} s"
        elif match:
            polluter = match.group(1)
            found.append((polluter, victim))
            right = polluter in expected.polluters_of(victim)
            outcome = polluter if right else f"{polluter} (WRONG)"
        else:
            arrows = [ln for ln in done.stdout.splitlines() if ln.startswith("->")]
            outcome = "no polluter: " + (arrows[-1] if arrows else last_line(done.stderr))
        per_victim[victim] = {
            "outcome": outcome,
            "executions": counted.executions,
            "pytest_runs": counted.runs,
            "seconds": round(done.seconds, 2),
        }
    result.executions = executions
    result.pytest_runs = runs
    score_pairs(result, found, expected)
    result.victims_found = sorted({v for _, v in found})
    result.extra["per_victim"] = per_victim
    result.notes.append(
        f"one bisection per known victim ({len(expected.victims)}); it must be told the "
        "victim, and finds one polluter per victim"
    )
    for victim, info in per_victim.items():
        if str(info["outcome"]).startswith(("no polluter", "timed out")) or "WRONG" in str(
            info["outcome"]
        ):
            result.notes.append(f"{victim}: {info['outcome']}")
    return result


# -- iPFlakies ---------------------------------------------------------------------------

IPF_POLLUTERS = re.compile(r"^\d+ polluter\(s\) for \S+ found:$")
IPF_CLEANERS = re.compile(r"^\d+ cleaner\(s\) found\.$")
IPF_ITEM = re.compile(r"^\[\d+\]\s+(\S+)$")


def listed_after(stdout: str, heading: re.Pattern[str]) -> list[str]:
    """The node ids iPFlakies lists as ``[i]  NODEID`` lines under a heading line."""
    names: list[str] = []
    lines = [line.strip() for line in stdout.splitlines()]
    for i, line in enumerate(lines):
        if heading.match(line):
            for item in lines[i + 1 :]:
                match = IPF_ITEM.match(item)
                if not match:
                    break
                names.append(match.group(1))
    return list(dict.fromkeys(names))


def bench_ipflakies(
    ws: Workspace,
    expected: Expected,
    python: Path,
    rounds: int,
    seed: int,
    pairs: bool,
    timeout: float,
) -> Result:
    result = Result("ipflakies", names_polluters=pairs)
    venv = python.parent.parent
    count_file = ws.count_file()
    work = ws.copy()
    cmd: list[str | Path] = [python, "-c", IPFLAKIES_SHIM, "-i", str(rounds), "--seed", str(seed)]
    done = run(cmd, work, counting_env(count_file, venv), timeout)
    result.seconds = done.seconds
    counted = read_counts(count_file)
    summary = work / "ipflakies_result" / "flakies.json"
    if done.returncode is None:
        result.error = f"timed out after {timeout:.0f} s"
    elif not summary.is_file():
        result.error = f"exit {done.returncode}: {last_line(done.stderr or done.stdout)}"
    if result.error:
        result.executions = counted.executions
        return result
    data = json.loads(summary.read_text())
    kinds: dict[str, str] = {k: v["type"] for k, v in data.items() if isinstance(v, dict)}
    executions, runs = counted.executions, counted.runs
    result.victims_found = sorted(k for k, t in kinds.items() if t == "victim")
    result.brittle = sorted(k for k, t in kinds.items() if t == "brittle")
    result.flaky = sorted(k for k, t in kinds.items() if t == "NOD")
    targets = set(expected.victims)
    result.extra["idflakies"] = kinds
    result.extra["idflakies_executions"] = executions
    result.extra["idflakies_seconds"] = round(done.seconds, 2)
    result.notes.append(
        f"iDFlakies mode, {rounds} random orders + reruns: {executions} executions, "
        f"{done.seconds:.0f} s; victims {len(targets & set(result.victims_found))}"
        f"/{len(targets)}, brittle {len(result.brittle)}, non-deterministic {len(result.flaky)}"
    )
    missing = sorted(targets - set(result.victims_found))
    if missing:
        result.notes.append(f"victims not found: {', '.join(missing)}")
    extra_victims = sorted(set(result.victims_found) - targets)
    if extra_victims:
        result.notes.append(f"called victim but not expected: {', '.join(extra_victims)}")
    if not pairs:
        result.notes.append(
            "names no polluter in this mode (use --ipflakies-pairs for its per-victim minimizer)"
        )
        result.executions, result.pytest_runs = executions, runs
        return result
    found: list[tuple[str, str]] = []
    for victim in expected.victims:
        count_file = ws.count_file()
        work = ws.copy()
        # reuse the iDFlakies summary so -t does not run the whole suite again
        (work / "ipflakies_result").mkdir()
        shutil.copy(summary, work / "ipflakies_result" / "flakies.json")
        cmd = [python, "-c", IPFLAKIES_SHIM, "-t", victim]
        done = run(cmd, work, counting_env(count_file, venv), timeout)
        counted = read_counts(count_file)
        result.seconds += done.seconds
        executions += counted.executions
        runs += counted.runs
        named: list[str] = []
        for minimized in (work / "ipflakies_result").glob("*/minimized.json"):
            info = json.loads(minimized.read_text())
            named += list(info.get("polluter", {}))
        if not named:  # its patcher can crash before minimized.json is written
            named = listed_after(done.stdout, IPF_POLLUTERS)
        found += [(p, victim) for p in named]
        cleaners = listed_after(done.stdout, IPF_CLEANERS)
        if cleaners:
            result.extra.setdefault("cleaners", {})[victim] = cleaners
        if done.returncode is None:
            result.notes.append(f"{victim}: timed out after {timeout:.0f} s")
        elif not named:
            result.notes.append(f"{victim}: no polluter ({last_line(done.stdout)})")
        elif done.returncode != 0:
            result.notes.append(
                f"{victim}: exit {done.returncode} after naming its polluter "
                f"({last_line(done.stderr)})"
            )
    score_pairs(result, found, expected)
    result.executions, result.pytest_runs = executions, runs
    return result


# -- output ------------------------------------------------------------------------------


def table(results: Sequence[Result], expected: Expected, size: int) -> str:
    n_pairs, n_victims = len(expected.pairs), len(expected.victims)
    head = (
        "tool",
        "executions",
        "pytest runs",
        "wall s",
        "victims",
        f"pairs ok/{n_pairs}",
        "missed",
        "wrong",
        "flaky",
        "brittle",
    )
    rows: list[tuple[str, ...]] = [head]
    for r in results:
        if r.error and r.executions is None:
            rows.append((r.tool, "-", "-", f"{r.seconds:.1f}", "-", "-", "-", "-", "-", "-"))
            continue
        victims = len(set(r.victims_found) & set(expected.victims))
        pair_cols = (
            (str(len(r.pairs_right)), str(len(r.pairs_missed)), str(len(r.pairs_wrong)))
            if r.names_polluters
            else ("n/a", "n/a", "n/a")
        )
        rows.append(
            (
                r.tool,
                str(r.executions if r.executions is not None else "-"),
                str(r.pytest_runs if r.pytest_runs is not None else "-"),
                f"{r.seconds:.1f}",
                f"{victims}/{n_victims}",
                *pair_cols,
                *((str(len(r.flaky)), str(len(r.brittle))) if r.classifies else ("n/a", "n/a")),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = [
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    out = [
        f"suite: {size} tests, {n_pairs} expected pairs ({n_victims} victims), "
        f"{len(expected.brittle)} brittle, {len(expected.flaky)} flaky",
        "",
        *lines,
        "",
    ]
    for r in results:
        out.append(f"{r.tool}:")
        if r.error:
            out.append(f"  error: {r.error}")
        out += [f"  {note}" for note in r.notes]
        if r.names_polluters and not r.error:
            out += [f"  missed: {p} -> {v}" for p, v in r.pairs_missed]
            out += [f"  wrong:  {p} -> {v}" for p, v in r.pairs_wrong]
    return "\n".join(out)


def record(results: list[Result], result: Result) -> None:
    """Keep a tool's result and say on stderr that it is done (the runs are long)."""
    results.append(result)
    state = f"error: {result.error}" if result.error else f"{result.executions} executions"
    print(f"[bench_leaks] {result.tool}: {state}, {result.seconds:.1f} s", file=sys.stderr)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", type=Path, default=SAMPLE, help="suite with EXPECTED.toml")
    parser.add_argument("--tests-dir", default="tests", help="what detect-test-pollution gets")
    parser.add_argument("--seed", type=int, default=1, help="test-auditor's and iPFlakies' seed")
    parser.add_argument("--only", default=",".join(TOOLS), help="comma-separated tools to run")
    parser.add_argument("--randomly-cap", type=int, default=50, help="most randomly rounds")
    parser.add_argument("--ipflakies-rounds", type=int, default=100, help="its -i (default 100)")
    parser.add_argument(
        "--ipflakies-pairs", action="store_true", help="also its polluter minimizer per victim"
    )
    parser.add_argument("--pip", action="append", default=[], help="extra package for the venvs")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per tool command")
    parser.add_argument(
        "--pytest-timeout", type=float, default=300, help="seconds per single pytest run"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    suite = args.suite.resolve()
    only = {t.strip() for t in args.only.split(",") if t.strip()}
    unknown = only - set(TOOLS)
    if unknown:
        raise SystemExit(f"unknown tools: {', '.join(sorted(unknown))} (have {', '.join(TOOLS)})")
    expected = load_expected(suite)
    needs = [*suite_requirements(suite), *args.pip]
    write_plugin()
    results: list[Result] = []
    tools_python: Path | None = None
    tools_error = ""
    try:
        tools_python = ensure_venv(
            TOOLS_VENV, ["pytest", "pytest-randomly", "detect-test-pollution", *needs]
        )
    except SetupError as exc:
        tools_error = str(exc)
    with tempfile.TemporaryDirectory(prefix="bench-leaks-") as tmp:
        ws = Workspace(suite, Path(tmp))
        size = len(collect(ws, tools_python or Path(sys.executable), args.pytest_timeout))
        if "test-auditor" in only:
            record(results, bench_auditor(ws, expected, size, args.seed, args.timeout))
        for tool in ("randomly", "dtp"):
            if tool not in only:
                continue
            if tools_python is None:
                record(results, Result(tool, error=tools_error))
            elif tool == "randomly":
                record(
                    results,
                    bench_randomly(
                        ws, expected, tools_python, args.randomly_cap, args.pytest_timeout
                    ),
                )
            else:
                record(results, bench_dtp(ws, expected, tools_python, args.tests_dir, args.timeout))
        if "ipflakies" in only:
            try:
                ipf_python = ensure_venv(IPFLAKIES_VENV, ["ipflakies", *needs])
            except SetupError as exc:
                record(results, Result("ipflakies", error=str(exc)))
            else:
                record(
                    results,
                    bench_ipflakies(
                        ws,
                        expected,
                        ipf_python,
                        args.ipflakies_rounds,
                        args.seed,
                        args.ipflakies_pairs,
                        args.timeout,
                    ),
                )
    if args.json:
        payload = {
            "suite": str(suite),
            "tests": size,
            "expected_pairs": len(expected.pairs),
            "expected_victims": len(expected.victims),
            "budget": 3 * size + 4 * len(expected.pairs),
            "tools": [asdict(r) for r in results],
        }
        print(json.dumps(payload, indent=2))
    else:
        print(table(results, expected, size))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
