"""`test-auditor leaks` on a real suite with three seeded bugs (issue 16, acceptance 1).

    .venv/bin/python -m benchmarks.seeded_flask_sqlalchemy [--seed 1] [--rounds 2]
        [--json FILE] [--keep] [--no-validate]

The suite is Flask-SQLAlchemy 3.1.1's own (452 items), from its sdist
(``pip download --no-binary :all: --no-deps flask-sqlalchemy==3.1.1``, cached outside the
repository by :mod:`benchmarks.suites`), run in a virtualenv with its test requirements
(SQLAlchemy pinned to a release of its time: later 2.0.x releases fail two of its tests).
A fresh copy of the sdist gets the seed below: two new test modules and a SQLite file in
the project root, each bug's polluter collected AFTER its victim, so the default order
passes:

- ``environ``: ``test_z_seeded_late.py::test_echo_from_environment`` sets
  ``FLASK_SQLALCHEMY_ECHO`` and never restores it; the earlier
  ``test_a_seeded_early.py::test_echo_off_by_default`` loads the app's config from the
  environment (``from_prefixed_env``) and expects no echo.
- ``module function``: ``test_shell_context_db_only`` replaces
  ``flask_sqlalchemy.cli.add_models_to_shell`` (which ``init_app`` imports from the module
  each time) and never puts it back; the earlier ``test_shell_context_lists_models``
  expects its model in ``flask shell``'s context.
- ``persisting row``: ``test_add_note_to_dev_database`` commits a row into ``dev.sqlite``
  in the project root; the earlier ``test_dev_database_starts_empty`` counts its rows.
  The row outlives the pytest process: without the hunt's work-tree guard, the victim
  fails even alone in every later run. Its state must say it persists across runs.

Then, timed: one plain ``python -m pytest -p no:randomly`` run on a scratch copy (the
wall-time reference), and ``test-auditor leaks --format json --python SUITE_PYTHON`` from
this checkout, run in the seeded copy. Scored: for each seeded pair, found with the right
polluter, the state text naming the right state, and how (``found_by``); anything else
reported as order-dependent (victims, brittle tests, flaky tests); executions against
``3n + 4 * pairs`` and by phase; wall time against the plain run; and whether every file
of the copy (the SQLite file included) is byte for byte what it was before `leaks`
(``__pycache__`` and pytest's cache left out). The copies live in a temporary folder,
removed at the end unless ``--keep``; the sdist and the virtualenv stay in
``$TEST_AUDITOR_BENCH_CACHE``. ``--no-validate`` skips checking the seed
itself (default order passes; ``pytest POLLUTER VICTIM`` fails) on scratch copies.

Exit code 0 when all of that holds, 1 otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.suites import Suite, fetch, venv_for, venv_python

SUITE = Suite(
    name="flask-sqlalchemy",
    distribution="flask-sqlalchemy",
    version="3.1.1",
    test_dir="tests",
    # Its requirements/tests.in (pytest, blinker); SQLAlchemy and Flask of its time.
    requirements=("pytest>=8,<9", "blinker", "sqlalchemy==2.0.21", "flask>=2.2.5,<3.2"),
    style="Flask extension; app/db fixtures parametrized over five model bases",
)
REPO = Path(__file__).resolve().parents[1]
EARLY = "tests/test_a_seeded_early.py"
LATE = "tests/test_z_seeded_late.py"
DEV_DB = "dev.sqlite"
IGNORED = frozenset({"__pycache__", ".pytest_cache", ".test-auditor-cache"})
"""Folders left out of the byte-for-byte comparison (bytecode and tools' caches)."""

# The seed. Victims first (collected before every original module), polluters last.
EARLY_SOURCE = '''\
"""Seeded victims (test-auditor benchmark): each passes in the default order."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from flask_sqlalchemy import SQLAlchemy

DEV_DATABASE = Path(__file__).resolve().parent.parent / "dev.sqlite"


def test_echo_off_by_default(app: Flask) -> None:
    app.config.from_prefixed_env()
    db = SQLAlchemy(app)
    with app.app_context():
        assert not db.engine.echo


def test_shell_context_lists_models(app: Flask) -> None:
    db = SQLAlchemy(app)

    class Widget(db.Model):
        id = sa.Column(sa.Integer, primary_key=True)

    with app.app_context():
        context = app.make_shell_context()
    assert context["db"] is db
    assert context["Widget"] is Widget


def test_dev_database_starts_empty(app: Flask) -> None:
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{DEV_DATABASE}"
    db = SQLAlchemy(app)

    class Note(db.Model):
        id = sa.Column(sa.Integer, primary_key=True)
        text = sa.Column(sa.String)

    with app.app_context():
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Note))
        db.session.close()
        db.engine.dispose()
    assert count == 0
'''

LATE_SOURCE = '''\
"""Seeded polluters (test-auditor benchmark): each leaks what an earlier test reads."""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app

import flask_sqlalchemy.cli
from flask_sqlalchemy import SQLAlchemy

DEV_DATABASE = Path(__file__).resolve().parent.parent / "dev.sqlite"


def test_echo_from_environment(app: Flask) -> None:
    os.environ["FLASK_SQLALCHEMY_ECHO"] = "true"  # never restored
    app.config.from_prefixed_env()
    db = SQLAlchemy(app)
    with app.app_context():
        assert db.engine.echo


def test_shell_context_db_only(app: Flask) -> None:
    def db_only() -> dict[str, object]:
        return {"db": current_app.extensions["sqlalchemy"]}

    flask_sqlalchemy.cli.add_models_to_shell = db_only  # never put back
    db = SQLAlchemy(app)

    class Gadget(db.Model):
        id = sa.Column(sa.Integer, primary_key=True)

    with app.app_context():
        assert app.make_shell_context()["db"] is db
        assert "Gadget" not in app.make_shell_context()


def test_add_note_to_dev_database(app: Flask) -> None:
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{DEV_DATABASE}"
    db = SQLAlchemy(app)

    class Note(db.Model):
        id = sa.Column(sa.Integer, primary_key=True)
        text = sa.Column(sa.String)

    with app.app_context():
        db.session.add(Note(text="remember the milk"))
        db.session.commit()  # the row stays in the project's file
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Note))
        db.session.close()
        db.engine.dispose()
    assert count >= 1
'''


@dataclass(frozen=True)
class Bug:
    kind: str
    victim: str
    polluter: str
    state: tuple[str, ...]
    """What the reported state must say, every one of these (case-insensitive)."""


BUGS = (
    Bug(
        "environ",
        f"{EARLY}::test_echo_off_by_default",
        f"{LATE}::test_echo_from_environment",
        ("FLASK_SQLALCHEMY_ECHO",),
    ),
    Bug(
        "module function",
        f"{EARLY}::test_shell_context_lists_models",
        f"{LATE}::test_shell_context_db_only",
        ("add_models_to_shell",),
    ),
    Bug(
        "persisting row",
        f"{EARLY}::test_dev_database_starts_empty",
        f"{LATE}::test_add_note_to_dev_database",
        (f"{DEV_DB} table 'note' rows", "persists across runs"),
    ),
)


def seed(copy: Path) -> None:
    """Add the seeded tests and the project's SQLite file (one table, no rows)."""
    (copy / EARLY).write_text(EARLY_SOURCE, encoding="utf-8")
    (copy / LATE).write_text(LATE_SOURCE, encoding="utf-8")
    connection = sqlite3.connect(copy / DEV_DB)
    try:
        connection.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, text VARCHAR)")
        connection.commit()
    finally:
        connection.close()


def fresh_copy(source: Path, target: Path) -> Path:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(*IGNORED, ".ready"))
    seed(target)
    return target


def digests(root: Path) -> dict[str, str]:
    """relpath -> sha256 of every file under ``root`` (ignored folders left out)."""
    found: dict[str, str] = {}
    for folder, folders, files in os.walk(root):
        folders[:] = sorted(f for f in folders if f not in IGNORED)
        for name in files:
            path = Path(folder, name)
            found[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def rows_in(database: Path) -> int | None:
    if not database.exists():
        return None
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return int(connection.execute("SELECT count(*) FROM note").fetchone()[0])
    finally:
        connection.close()


def pytest_run(python: Path, cwd: Path, *args: str) -> tuple[int, float, str]:
    command = [str(python), "-m", "pytest", "-p", "no:randomly", "-p", "no:cacheprovider"]
    started = time.perf_counter()
    done = subprocess.run(
        [*command, "-q", *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    return done.returncode, time.perf_counter() - started, done.stdout + done.stderr


def validate(source: Path, python: Path, scratch: Path) -> list[str]:
    """What is wrong with the seed itself: the default order must pass, and each
    polluter then its victim must fail (each on a fresh copy)."""
    problems: list[str] = []
    copy = fresh_copy(source, scratch / "validate")
    code, _, output = pytest_run(python, copy)
    if code != 0:
        problems.append(f"default order: exit {code}: {output.strip().splitlines()[-1:]}")
    for bug in BUGS:
        copy = fresh_copy(source, scratch / "validate")
        code, _, output = pytest_run(python, copy, bug.polluter, bug.victim)
        if code != 1 or f"FAILED {bug.victim}" not in output:
            problems.append(f"{bug.kind}: `pytest POLLUTER VICTIM` did not fail the victim")
        code, _, output = pytest_run(python, copy, bug.victim)
        if bug.kind == "persisting row" and code != 1:
            problems.append(f"{bug.kind}: the victim alone passed after the polluter's run")
    shutil.rmtree(scratch / "validate", ignore_errors=True)
    return problems


@dataclass
class Found:
    kind: str
    found: bool = False
    polluters: list[str] = field(default_factory=list)
    state: str = ""
    state_right: bool = False
    found_by: str = ""
    called: str = ""
    """What the report called the victim when not a victim of its polluter."""


@dataclass
class Score:
    tests: int = 0
    budget: int = 0
    executions: int = 0
    executions_by_phase: dict[str, int] = field(default_factory=dict)
    leaks_seconds: float = 0.0
    plain_seconds: float = 0.0
    bugs: list[Found] = field(default_factory=list)
    other_order_dependent: list[str] = field(default_factory=list)
    files_identical: bool = False
    files_differing: list[str] = field(default_factory=list)
    rows_before: int | None = None
    rows_after: int | None = None
    files_restored: int = 0
    seed_problems: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def ratio(self) -> float:
        return self.leaks_seconds / self.plain_seconds if self.plain_seconds else 0.0

    @property
    def ok(self) -> bool:
        return (
            not self.error
            and not self.seed_problems
            and all(b.found and b.state_right for b in self.bugs)
            and not self.other_order_dependent
            and self.executions <= self.budget
            and self.files_identical
        )


def score_report(report: dict[str, Any], score: Score) -> None:
    victims = {v["nodeid"]: v for v in report.get("victims", [])}
    pairs = {(p.get("polluter"), p.get("victim")): p for p in report.get("pairs", [])}
    seeded = {bug.victim for bug in BUGS}
    for bug in BUGS:
        found = Found(bug.kind)
        victim = victims.get(bug.victim)
        if victim is not None:
            found.polluters = list(victim["polluters"])
            found.found = bug.polluter in found.polluters
            pair = pairs.get((bug.polluter, bug.victim), {})
            found.state = " | ".join(pair.get("state") or victim["state"])
            found.found_by = str(pair.get("found_by") or victim.get("found_by", ""))
            found.state_right = all(w.lower() in found.state.lower() for w in bug.state)
        else:
            found.called = called(report, bug.victim)
        score.bugs.append(found)
    for nodeid in victims.keys() - seeded:
        score.other_order_dependent.append(f"victim {nodeid}")
    for section in ("brittle", "flaky"):  # a seeded victim there is counted as missed
        for entry in report.get(section, []):
            if entry["nodeid"] not in seeded:
                score.other_order_dependent.append(f"{section} {entry['nodeid']}")
    score.executions = int(report.get("test_executions", 0))
    score.executions_by_phase = dict(report.get("executions_by_phase", {}))
    score.files_restored = len(report.get("files_restored", []))


def called(report: dict[str, Any], nodeid: str) -> str:
    for section in ("brittle", "flaky", "failing", "unresolved", "crashed", "not_run"):
        for entry in report.get(section, []):
            if (entry if isinstance(entry, str) else entry.get("nodeid")) == nodeid:
                return section
    return "not reported"


def run_leaks(copy: Path, python: Path, seed_value: int, rounds: int, score: Score) -> None:
    command = [sys.executable, "-m", "auditor", "leaks", "--format", "json"]
    command += ["--seed", str(seed_value), "--rounds", str(rounds), "--python", str(python)]
    before = digests(copy)
    score.rows_before = rows_in(copy / DEV_DB)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=copy, capture_output=True, text=True, check=False)
    score.leaks_seconds = time.perf_counter() - started
    after = digests(copy)
    score.rows_after = rows_in(copy / DEV_DB)
    score.files_differing = sorted(
        path for path in before.keys() | after.keys() if before.get(path) != after.get(path)
    )
    score.files_identical = not score.files_differing
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        score.error = f"leaks exit {done.returncode}: {' | '.join(tail)}"
        return
    (copy.parent / "leaks-report.json").write_text(done.stdout, encoding="utf-8")
    score_report(report, score)


def count_items(python: Path, copy: Path) -> int:
    code, _, output = pytest_run(python, copy, "--collect-only")
    for line in reversed(output.splitlines()):
        words = line.split()
        if len(words) > 2 and words[0].isdigit() and words[1:3] == ["tests", "collected"]:
            return int(words[0])
    raise RuntimeError(f"could not count the suite's tests (exit {code})")


def render(score: Score) -> str:
    lines = [f"Flask-SQLAlchemy 3.1.1 + 3 seeded bugs: {score.tests} tests"]
    for bug in score.bugs:
        if bug.found:
            mark = "found" if bug.state_right else "found, WRONG STATE"
            lines.append(f"  {bug.kind:16} {mark} ({bug.found_by or '?'}): {bug.state}")
        elif bug.polluters:
            lines.append(f"  {bug.kind:16} WRONG POLLUTER {bug.polluters}")
        else:
            lines.append(f"  {bug.kind:16} MISSED (victim: {bug.called})")
    for other in score.other_order_dependent:
        lines.append(f"  ALSO REPORTED: {other}")
    phases = ", ".join(f"{k} {v}" for k, v in score.executions_by_phase.items())
    lines.append(f"  executions {score.executions} / budget {score.budget} ({phases})")
    lines.append(
        f"  wall time {score.leaks_seconds:.1f} s; plain run {score.plain_seconds:.1f} s"
        f" ({score.ratio:.1f}x)"
    )
    state = "identical" if score.files_identical else f"DIFFER: {score.files_differing}"
    lines.append(
        f"  files after leaks: {state}; rows in {DEV_DB}: {score.rows_before} before,"
        f" {score.rows_after} after; {score.files_restored} restorations reported"
    )
    lines.extend(f"  SEED PROBLEM: {problem}" for problem in score.seed_problems)
    if score.error:
        lines.append(f"  ERROR: {score.error}")
    lines.append("  OK" if score.ok else "  NOT OK")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--json", type=Path, help="write the score here")
    parser.add_argument("--keep", action="store_true", help="keep the seeded copy")
    parser.add_argument("--no-validate", action="store_true", help="trust the seed")
    args = parser.parse_args(argv)
    source = fetch(SUITE)
    python = venv_python(venv_for(SUITE))
    work = Path(tempfile.mkdtemp(prefix="seeded-fsa-"))
    score = Score()
    try:
        if not args.no_validate:
            score.seed_problems = validate(source, python, work)
        plain = fresh_copy(source, work / "plain")
        score.tests = count_items(python, plain)
        score.budget = 3 * score.tests + 4 * len(BUGS)
        _, score.plain_seconds, _ = pytest_run(python, plain)
        copy = fresh_copy(source, work / "seeded")
        run_leaks(copy, python, args.seed, args.rounds, score)
        if args.keep:
            print(f"seeded copy and report kept in {work}", file=sys.stderr)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(render(score))
    if args.json:
        data = asdict(score) | {"ratio": score.ratio, "ok": score.ok}
        args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return 0 if score.ok else 1


if __name__ == "__main__":
    sys.exit(main())
