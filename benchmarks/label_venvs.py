"""Build the virtualenvs that ``benchmarks.evaluate --run`` runs the labelled suites in.

``evaluate --run`` looks a suite's interpreter up as ``<venvs-dir>/<distribution>/bin/python``
(``find_python``; the distribution in any spelling, so the canonical lower-case ``-`` form is
used here). Each venv gets the extracted sdist installed editable (so the project's modules
are files under the sdist root, as a developer of that project has them) and the test
requirements the sdist itself names: its requirements files, its ``test`` extras or its
``tests`` dependency group, with the versions it pins. Run from the repository::

    .venv/bin/python -m benchmarks.label_venvs [--real-dir /work/real]
        [--venvs-dir /work/labelvenvs] [--python python3.11] [--suite NAME ...] [--force]

A venv is rebuilt only when what it should hold changed (a digest of the install commands is
kept in it) or with ``--force``; ``--check`` only says which venvs are ready. PostgreSQL
databases a suite expects (``databases``) are created on the local server when missing.
Packages that may not install here are ``optional`` (tried one by one, never a failure):
drivers whose build needs system headers.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

DEFAULT_REAL_DIR = Path("/work/real")
DEFAULT_VENVS_DIR = Path("/work/labelvenvs")
DEFAULT_PYTHON = "python3.11"
POSTGRES = ("-h", "127.0.0.1", "-p", "5432", "-U", "postgres")
READY = ".label-venv.json"


@dataclass(frozen=True)
class LabelVenv:
    """One labelled suite: its venv name, its sdist folder and what pip installs there.

    ``installs`` are pip argument lists, run in order in the sdist root (requirements files
    name ``-e .`` relative to it); ``optional`` packages are tried one by one afterwards.
    """

    name: str
    sdist: str
    installs: tuple[tuple[str, ...], ...]
    optional: tuple[str, ...] = ()
    databases: tuple[str, ...] = ()
    """PostgreSQL databases the suite expects to exist (its CI creates them)."""


LABEL_VENVS: tuple[LabelVenv, ...] = (
    LabelVenv(
        name="flask-admin",
        sdist="flask_admin-2.2.1",
        # [all] plus the ``tests`` dependency group of its pyproject.toml; WTForms as its
        # typing group names it (3.3's deprecation warnings are errors under its
        # filterwarnings), SQLAlchemy 2.0 and psycopg 3 for its postgresql+psycopg URLs.
        installs=(
            (
                "-e",
                ".[all]",
                "WTForms==3.2.1",
                "SQLAlchemy<2.1",
                "psycopg[binary]",
                "flake8",
                "flask[async]",
                "pytest",
                "pytest-cov",
                "moto",
                "botocore>=1.35",
                "psycopg2-binary",
                "beautifulsoup4",
                "azure-storage-blob",
            ),
        ),
        databases=("flask_admin_test",),  # sqla/conftest.py and geoa/conftest.py URLs
    ),
    LabelVenv(
        name="flask-sqlalchemy",
        sdist="flask_sqlalchemy-3.1.1",
        # requirements/tests.txt pins pytest 7.4.2, coverage, pytest-cov, blinker; under
        # SQLAlchemy 2.1 its dataclass model bases fail to map (most tests error).
        installs=(("-r", "requirements/tests.txt", "-e", ".", "SQLAlchemy<2.1"),),
    ),
    LabelVenv(
        name="sqlalchemy-utils",
        sdist="SQLAlchemy-Utils-0.41.2",
        # setup.py's ``test_all`` extra (``test`` pins pytest 7.4.4) with the drivers that
        # need a C build against libpq or ODBC headers swapped or made optional; SQLAlchemy
        # 2.1 renamed attributes.ScalarAttributeImpl, which 0.41.2 subclasses at import.
        installs=(
            (
                "-e",
                ".[babel,arrow,pendulum,intervals,phone,password,color,timezone,url,encrypted]",
                "SQLAlchemy<2.1",
                "pytest==7.4.4",
                "Pygments>=1.2",
                "Jinja2>=2.3",
                "docutils>=0.10",
                "flexmock>=0.9.7",
                "psycopg[binary]>=3.1.8",
                "psycopg2-binary>=2.5.1",
                "pg8000>=1.12.4",
                "pytz>=2014.2",
                "python-dateutil>=2.6",
                "pymysql",
                "flake8>=2.4.0",
                "isort>=4.2.2",
            ),
        ),
        optional=("pyodbc", "psycopg2cffi>=2.8.1"),
        databases=("sqlalchemy_utils_test",),  # conftest's db_name(); its CI creates it
    ),
    LabelVenv(
        name="sqlakeyset",
        sdist="sqlakeyset-2.0.1787969905",
        # The ``dev`` dependency group; sqlbag comes from PyPI (the group names a git rev).
        installs=(
            (
                "-e",
                ".",
                "sqlbag",
                "sqlalchemy-utils>=0.37.0",
                "toml<0.11,>=0.10.0",
                "sqlalchemy[asyncio]<3.0.0,>=2.0.7",
                "aiosqlite<1.0.0,>=0.18.0",
                "aiomysql<1.0.0,>=0.1.1",
                "pytest>=7.4.4",
                "pytest-cov>=4.1.0",
                "pytest-asyncio>=0.21.2",
                "psycopg2-binary>=2.9.9",
                "asyncpg>=0.27.0",
                "pymysql>=1.1.1",
                "pytz>=2024.2",
                "arrow>=1.2.3",
                "python-dateutil>=2.9.0.post0",
                "psycopg[binary]>=3.2.12",
            ),
        ),
    ),
    LabelVenv(
        name="sqlmodel",
        sdist="sqlmodel-0.0.22",
        # requirements-tests.txt: pytest <8, coverage, fastapi, httpx 0.24.1, dirty-equals...
        installs=(("-r", "requirements-tests.txt"),),
    ),
)


def digest(venv: LabelVenv, python: str) -> str:
    spec = json.dumps([python, venv.sdist, venv.installs, venv.optional])  # not the databases
    return hashlib.sha256(spec.encode()).hexdigest()[:16]


def venv_python(folder: Path) -> Path:
    return folder / "bin" / "python"


def is_ready(folder: Path, wanted: str) -> bool:
    marker = folder / READY
    if not marker.is_file() or not venv_python(folder).exists():
        return False
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return False
    return isinstance(data, dict) and data.get("digest") == wanted


def run(command: Sequence[str], cwd: Path | None = None) -> int:
    print("   $", " ".join(command), flush=True)
    return subprocess.run(list(command), cwd=cwd, check=False).returncode


def create_databases(names: Sequence[str]) -> list[str]:
    """Create the PostgreSQL databases that do not exist yet; what could not be made."""
    if not names:
        return []
    psql, createdb = shutil.which("psql"), shutil.which("createdb")
    if psql is None or createdb is None:
        return [f"{name} (no psql/createdb on PATH)" for name in names]
    failed = []
    for name in names:
        query = f"SELECT 1 FROM pg_database WHERE datname = '{name}'"
        found = subprocess.run(
            [psql, *POSTGRES, "-d", "postgres", "-Atc", query],
            capture_output=True,
            text=True,
            check=False,
        )
        if found.returncode != 0:
            failed.append(f"{name} ({found.stderr.strip() or 'psql failed'})")
        elif found.stdout.strip() != "1" and run([createdb, *POSTGRES, name]) != 0:
            failed.append(f"{name} (createdb failed)")
    return failed


def build(venv: LabelVenv, real_dir: Path, venvs_dir: Path, python: str, force: bool) -> str:
    """Make one venv; returns a line saying what happened."""
    root = real_dir / venv.sdist
    folder = venvs_dir / venv.name
    wanted = digest(venv, python)
    if not root.is_dir():
        return f"{venv.name}: sdist {root} not found"
    missing = create_databases(venv.databases)
    if missing:
        print(f"   databases not made: {', '.join(missing)}", flush=True)
    if not force and is_ready(folder, wanted):
        return f"{venv.name}: ready ({folder})"
    started = time.perf_counter()
    if folder.exists():
        shutil.rmtree(folder)
    if run([python, "-m", "venv", str(folder)]) != 0:
        return f"{venv.name}: FAILED to create the venv"
    pip = [str(venv_python(folder)), "-m", "pip", "--disable-pip-version-check", "install", "-q"]
    if run([*pip, "--upgrade", "pip", "setuptools", "wheel"]) != 0:
        return f"{venv.name}: FAILED to upgrade pip"
    for install in venv.installs:
        if run([*pip, *install], cwd=root) != 0:
            return f"{venv.name}: FAILED: pip install {' '.join(install)}"
    left_out = [package for package in venv.optional if run([*pip, package], cwd=root) != 0]
    marker = {"digest": wanted, "sdist": str(root), "left_out": left_out}
    (folder / READY).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
    took = time.perf_counter() - started
    note = f"; left out {', '.join(left_out)}" if left_out else ""
    return f"{venv.name}: built in {took:.0f}s ({folder}){note}"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--real-dir", type=Path, default=DEFAULT_REAL_DIR)
    parser.add_argument("--venvs-dir", type=Path, default=DEFAULT_VENVS_DIR)
    parser.add_argument("--python", default=DEFAULT_PYTHON, help="interpreter to make venvs from")
    parser.add_argument("--suite", action="append", help="only this venv (repeatable)")
    parser.add_argument("--force", action="store_true", help="rebuild even when ready")
    parser.add_argument("--check", action="store_true", help="only say which venvs are ready")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    chosen = [v for v in LABEL_VENVS if not args.suite or v.name in set(args.suite)]
    if not chosen:
        print(f"no such suite; known: {', '.join(v.name for v in LABEL_VENVS)}", file=sys.stderr)
        return 2
    failed = False
    for venv in chosen:
        if args.check:
            ready = is_ready(args.venvs_dir / venv.name, digest(venv, args.python))
            print(f"{venv.name}: {'ready' if ready else 'not ready'}")
            failed = failed or not ready
            continue
        print(f"-- {venv.name}", flush=True)
        line = build(venv, args.real_dir, args.venvs_dir, args.python, args.force)
        print(line, flush=True)
        failed = failed or "FAILED" in line or "not found" in line
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
