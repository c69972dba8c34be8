"""Pinned third-party test suites to benchmark test-auditor against, and their setup.

Each suite is data: the PyPI distribution and version whose sdist carries the tests,
the test folder inside it, what pip must install for ``pytest --collect-only`` to work
there, and the pytest arguments to use. ``fetch`` downloads and extracts the sdist
and ``venv_for`` builds a virtualenv for it, both once, under a cache folder outside
the repository (default ``~/.cache/test-auditor-bench``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

DEFAULT_CACHE_DIR = Path(
    os.environ.get("TEST_AUDITOR_BENCH_CACHE", "~/.cache/test-auditor-bench")
).expanduser()
READY_MARKER = ".ready"


@dataclass(frozen=True)
class Suite:
    """One third-party suite pinned to one sdist."""

    name: str
    distribution: str
    version: str
    test_dir: str
    requirements: tuple[str, ...] = ()
    pytest_args: tuple[str, ...] = ()
    deselect_args: tuple[str, ...] = ()
    style: str = ""

    @property
    def pin(self) -> str:
        return f"{self.distribution}=={self.version}"

    @property
    def key(self) -> str:
        return f"{self.name}-{self.version}"

    def collect_args(self) -> list[str]:
        """pytest arguments (after ``-m pytest``) that collect this suite."""
        return [self.test_dir, *self.pytest_args, *self.deselect_args]


NO_CACHE = ("-p", "no:cacheprovider")

SUITES: tuple[Suite, ...] = (
    Suite(
        name="pluggy",
        distribution="pluggy",
        version="1.7.0",
        test_dir="testing",
        requirements=("pytest>=8,<9", "pytest-benchmark"),
        pytest_args=NO_CACHE,
        style="small; plain functions, fixtures in conftest, pytest-benchmark",
    ),
    Suite(
        name="more-itertools",
        distribution="more-itertools",
        version="11.2.1",
        test_dir="tests",
        requirements=("pytest>=8",),
        pytest_args=NO_CACHE,
        style="unittest.TestCase classes, no conftest, no pytest config",
    ),
    Suite(
        name="python-dateutil",
        distribution="python-dateutil",
        version="2.9.0.post0",
        test_dir="tests",
        requirements=("pytest>=8,<9", "pytest-cov", "hypothesis", "freezegun"),
        pytest_args=NO_CACHE,
        style="src/ layout, unittest classes and plain functions, time zone tests",
    ),
    Suite(
        name="attrs",
        distribution="attrs",
        version="26.1.0",
        test_dir="tests",
        requirements=("pytest>=8", "hypothesis", "pympler", "cloudpickle"),
        pytest_args=NO_CACHE,
        style="hypothesis-heavy, --import-mode=importlib, --strict-config",
    ),
    Suite(
        name="flask",
        distribution="flask",
        version="3.1.3",
        test_dir="tests",
        requirements=("pytest>=8,<9.1", "asgiref", "greenlet", "python-dotenv"),
        pytest_args=NO_CACHE,
        style="app/client fixtures in conftest, autouse fixtures, test apps as data",
    ),
    Suite(
        name="requests",
        distribution="requests",
        version="2.34.2",
        test_dir="tests",
        requirements=(
            "pytest>=8",
            "pytest-httpbin==2.1.0",
            "httpbin~=0.10.0",
            "pytest-mock",
            "trustme",
            "PySocks>=1.5.6,!=1.5.7",
        ),
        pytest_args=NO_CACHE,
        # These reach a non-routable address or real DNS names.
        deselect_args=(
            "-k",
            "not test_connect_timeout and not test_total_timeout_connect"
            " and not test_errors and not test_proxy_error",
        ),
        style="plugin fixture overridden in conftest (def httpbin(httpbin)), doctests",
    ),
    Suite(
        name="httpx",
        distribution="httpx",
        version="0.28.1",
        test_dir="tests",
        requirements=(
            "pytest>=8",
            "httpx[brotli,cli,http2,socks,zstd]==0.28.1",
            "chardet",
            "trio",
            "trustme",
            "uvicorn",
            "cryptography",
        ),
        pytest_args=NO_CACHE,
        deselect_args=("-m", "not network"),
        style="anyio plugin marks, session-scoped server fixture, nested test dirs",
    ),
    Suite(
        name="pytest",
        distribution="pytest",
        version="9.0.3",
        test_dir="testing",
        requirements=(
            "argcomplete",
            "attrs>=19.2",
            "hypothesis>=3.56",
            "mock",
            "requests",
            "setuptools",
            "xmlschema",
        ),
        pytest_args=NO_CACHE,
        style="large; pytester everywhere, custom python_files/classes/functions",
    ),
    Suite(
        name="sympy",
        distribution="sympy",
        version="1.13.3",
        test_dir="sympy",
        requirements=("pytest>=8", "hypothesis"),
        pytest_args=(*NO_CACHE, "-o", "addopts="),
        style="largest: 604 test files in the package's own tests/ folders, plain functions",
    ),
    Suite(
        name="sqlalchemy",
        distribution="sqlalchemy",
        version="2.0.58",
        test_dir="test",
        requirements=("pytest>=8,<10", "greenlet", "typing-extensions>=4.6.0"),
        pytest_args=NO_CACHE,
        style="largest; own plugin bootstrapped from conftest, generated classes",
    ),
)


def suite_named(name: str) -> Suite:
    for suite in SUITES:
        if suite.name == name:
            return suite
    known = ", ".join(suite.name for suite in SUITES)
    raise KeyError(f"unknown suite {name!r}; known: {known}")


def sdist_root(suite: Suite, cache_dir: Path = DEFAULT_CACHE_DIR) -> Path:
    return cache_dir / "src" / suite.key


def fetch(suite: Suite, cache_dir: Path = DEFAULT_CACHE_DIR) -> Path:
    """Download the suite's sdist and extract it once; return the extracted root."""
    root = sdist_root(suite, cache_dir)
    if (root / READY_MARKER).exists():
        return root
    archive = download_sdist(suite, cache_dir / "sdists" / suite.key)
    extract(archive, root)
    (root / READY_MARKER).write_text(archive.name + "\n", encoding="utf-8")
    return root


def download_sdist(suite: Suite, target: Path) -> Path:
    existing = sdist_archives(target)
    if not existing:
        target.mkdir(parents=True, exist_ok=True)
        pip = [sys.executable, "-m", "pip", "download", "--no-binary", ":all:"]
        run_checked([*pip, "--no-deps", "-q", suite.pin, "-d", str(target)])
        existing = sdist_archives(target)
    if len(existing) != 1:
        raise RuntimeError(f"expected one sdist in {target}, found {existing}")
    return existing[0]


def sdist_archives(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    suffixes = (".tar.gz", ".zip", ".tgz")
    return sorted(p for p in folder.iterdir() if p.name.endswith(suffixes))


def extract(archive: Path, root: Path) -> None:
    """Extract an sdist so that its single top folder becomes ``root``."""
    root.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root.parent) as staging:
        staging_path = Path(staging)
        unpack(archive, staging_path)
        [top] = list(staging_path.iterdir())
        if root.exists():
            shutil.rmtree(root)
        top.rename(root)


def unpack(archive: Path, destination: Path) -> None:
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as zipped:
            zipped.extractall(destination)
        return
    with tarfile.open(archive) as tarred:
        if hasattr(tarfile, "data_filter"):
            tarred.extractall(destination, filter="data")
        else:  # pragma: no cover - Python without extraction filters
            tarred.extractall(destination)


def venv_dir(suite: Suite, cache_dir: Path = DEFAULT_CACHE_DIR) -> Path:
    return cache_dir / "venvs" / suite.key


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def install_spec(suite: Suite) -> list[str]:
    return [suite.pin, *suite.requirements]


def venv_for(suite: Suite, cache_dir: Path = DEFAULT_CACHE_DIR) -> Path:
    """Create (once) a virtualenv with the suite's package and test requirements."""
    venv = venv_dir(suite, cache_dir)
    marker = venv / READY_MARKER
    wanted = spec_digest(install_spec(suite))
    if marker.exists() and marker.read_text(encoding="utf-8").strip() == wanted:
        return venv
    if venv.exists():
        shutil.rmtree(venv)
    run_checked([base_python(), "-m", "venv", str(venv)])
    pip = [
        str(venv_python(venv)),
        "-m",
        "pip",
        "install",
        "-q",
        "--disable-pip-version-check",
    ]
    run_checked([*pip, *install_spec(suite)])
    marker.write_text(wanted + "\n", encoding="utf-8")
    return venv


def base_python() -> str:
    """The interpreter that venvs are made from (``TEST_AUDITOR_BENCH_PYTHON``)."""
    return os.environ.get("TEST_AUDITOR_BENCH_PYTHON", sys.executable)


def spec_digest(spec: Sequence[str]) -> str:
    text = json.dumps([base_python(), *spec])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


REPO_ROOT = Path(__file__).resolve().parents[1]


def auditor_in(venv: Path) -> Path:
    """test-auditor installed (editable) into the suite's own virtualenv, so that it
    reads the same pytest and the same installed plugins as the suite's pytest does."""
    executable = venv / ("Scripts/test-auditor.exe" if os.name == "nt" else "bin/test-auditor")
    if not executable.exists():
        pip = [str(venv_python(venv)), "-m", "pip", "install", "--quiet", "-e", str(REPO_ROOT)]
        run_checked(pip)
    return executable


def run_checked(command: Sequence[str]) -> None:
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        output = (completed.stdout + completed.stderr).strip()[-4000:]
        joined = " ".join(command)
        raise RuntimeError(f"command failed ({completed.returncode}): {joined}\n{output}")


def count_test_files(root: Path, suite: Suite) -> int:
    """Rough count of test modules under the test dir (test_*.py or *_test.py)."""
    test_root = root / suite.test_dir
    names = (p.name for p in test_root.rglob("*.py"))
    return sum(1 for n in names if n.startswith("test_") or n.endswith("_test.py"))


def pytest_command(suite: Suite, venv: Path, *extra: str) -> list[str]:
    """``python -m pytest --collect-only -q`` for the suite, run from its sdist root."""
    python = str(venv_python(venv))
    return [
        python,
        "-m",
        "pytest",
        "--collect-only",
        "-q",
        *extra,
        *suite.collect_args(),
    ]


PYTEST_74 = "pytest>=7.4,<7.5"


def on_pytest_74(suite: Suite, *, style: str) -> Suite:
    """``suite`` with pytest pinned to 7.4 instead of its own pin, under its own name."""
    kept = tuple(r for r in suite.requirements if not r.startswith("pytest>"))
    return replace(
        suite, name=f"{suite.name}-pytest74", requirements=(PYTEST_74, *kept), style=style
    )


FIDELITY_SUITES: tuple[Suite, ...] = (
    Suite(
        name="packaging-pytest74",
        distribution="packaging",
        version="26.3",
        test_dir="tests",
        requirements=(
            PYTEST_74,
            "coverage[toml]>=7.2.0",
            "hypothesis>=6.0.0",
            "pip>=21.1",
            "pretend",
            "tomli_w",
        ),
        pytest_args=NO_CACHE,
        style="addopts -m 'not property' deselects the property tests; pytest 7.4",
    ),
    on_pytest_74(
        suite_named("httpx"),
        style="anyio's pytest11 plugin gives every async test anyio_backend; pytest 7.4",
    ),
)
"""The suites of issue 14's fidelity acceptance (`benchmarks/fidelity.py`): each in a
virtualenv of its own with pytest pinned to 7.4, test-auditor installed elsewhere."""
