"""TA203 and plugins the environment test-auditor reads does not have (issue 14, point 5):
a fixture of a plugin the project declares, or of a well-known plugin when the suite's
environment was not found, is not an error; the report says once which plugins were not
read. Names nobody provides stay errors. The base-class fixture cases are checked
against pytest itself."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.api import Finding, Severity
from auditor.lint.registry import builtin_rules
from auditor.model.build import BuildOptions
from auditor.pipeline import Analysis, analyse_path
from auditor.testing import write_tree
from tests.unit.test_environment import fake_venv

TA203 = next(rule for rule in builtin_rules() if rule.code == "TA203")
PYPROJECT = '[project]\nname = "app"\n\n[project.optional-dependencies]\ntest = [{deps}]\n'


@pytest.fixture(autouse=True)
def no_virtual_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)


def analysed(root: Path, files: dict[str, str], python: str | None = None) -> Analysis:
    write_tree(root, {"pytest.ini": "", **files})
    return analyse_path(root, build=BuildOptions(use_cache=False, python=python))


def ta203(analysis: Analysis) -> list[Finding]:
    return list(analysis.lint([TA203]).findings)


def not_installed(module: str) -> None:
    if importlib.util.find_spec(module) is not None:
        pytest.skip(f"{module} is installed in test-auditor's environment")


def test_a_declared_plugin_not_installed_is_a_note_not_an_error(tmp_path: Path) -> None:
    not_installed("pytest_mock")
    analysis = analysed(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT.format(deps='"pytest-mock>=3.10"'),
            "tests/test_app.py": "def test_a(mocker):\n    assert mocker\n\n"
            "def test_b(mocker, session_mocker):\n    assert mocker\n",
        },
    )
    assert ta203(analysis) == []
    note = analysis.view.absent_plugins.note()
    assert note is not None
    assert "pytest-mock (`mocker`, `session_mocker`; declared in pyproject.toml; 2 tests)" in note
    assert "test-auditor's own interpreter" in note
    assert "--python" in note


def test_requirements_tox_and_setup_cfg_declare_plugins_too(tmp_path: Path) -> None:
    not_installed("pytest_benchmark")
    not_installed("pytest_xprocess")
    analysis = analysed(
        tmp_path,
        {
            "requirements/test.txt": "-r base.txt\npytest-benchmark==4.0  # timing\n",
            "requirements/base.txt": "flask\n",
            "tox.ini": "[testenv]\ndeps =\n    py311: pytest-xprocess\n",
            "tests/test_app.py": "def test_a(benchmark, xprocess):\n    assert benchmark\n",
        },
    )
    assert ta203(analysis) == []
    plugins = {p.distribution: p.declared_in for p in analysis.view.absent_plugins.plugins}
    assert plugins == {
        "pytest-benchmark": ("requirements/test.txt",),
        "pytest-xprocess": ("tox.ini",),
    }


def test_a_well_known_plugin_is_not_claimed_missing_from_an_unknown_env(tmp_path: Path) -> None:
    not_installed("pytest_check")
    analysis = analysed(
        tmp_path, {"tests/test_app.py": "def test_a(check):\n    check.equal(1, 1)\n"}
    )
    assert ta203(analysis) == []
    note = analysis.view.absent_plugins.note()
    assert note is not None
    assert "pytest-check (`check`; not declared by the project" in note


def test_a_typo_next_to_declared_plugins_is_an_error(tmp_path: Path) -> None:
    analysis = analysed(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT.format(deps='"pytest-mock"'),
            "tests/test_app.py": "def test_a(mocker, clinet):\n    assert mocker\n",
        },
    )
    findings = ta203(analysis)
    assert [(f.path, f.severity) for f in findings] == [("tests/test_app.py", Severity.ERROR)]
    assert "fixture `clinet`" in findings[0].message


def test_a_plugin_name_defined_elsewhere_in_the_suite_stays_an_error(tmp_path: Path) -> None:
    # `mocker` exists, in a conftest the test cannot see: a visibility problem
    analysis = analysed(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT.format(deps='"pytest-mock"'),
            "tests/api/conftest.py": "import pytest\n\n@pytest.fixture\ndef mocker():\n"
            "    return 1\n",
            "tests/api/test_api.py": "def test_api(mocker):\n    assert mocker\n",
            "tests/db/test_db.py": "def test_db(mocker):\n    assert mocker\n",
        },
    )
    assert [f.path for f in ta203(analysis)] == ["tests/db/test_db.py"]


def test_generic_names_count_as_a_plugins_only_when_declared(tmp_path: Path) -> None:
    files = {"tests/test_app.py": "def test_a(client):\n    assert client\n"}
    assert len(ta203(analysed(tmp_path / "plain", files))) == 1
    declared = {**files, "requirements-dev.txt": "pytest-django\n"}
    if importlib.util.find_spec("pytest_django") is None:
        assert ta203(analysed(tmp_path / "django", declared)) == []


def test_declared_plugins_of_unknown_fixtures_make_a_warning(tmp_path: Path) -> None:
    analysis = analysed(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT.format(deps='"pytest-acme-fixtures"'),
            "tests/test_app.py": "def test_a(acme_server):\n    assert acme_server\n",
        },
    )
    findings = ta203(analysis)
    assert [f.severity for f in findings] == [Severity.WARNING]
    assert "may come from pytest-acme-fixtures" in findings[0].message
    note = analysis.view.absent_plugins.note()
    assert note is not None
    assert "pytest-acme-fixtures (declared; fixtures unknown)" in note


def test_the_suites_env_lacking_an_undeclared_plugin_is_an_error(tmp_path: Path) -> None:
    # the suite's own virtualenv was found: pytest there errors, and says so
    root = tmp_path / "suite"
    fake_venv(root / ".venv")
    analysis = analysed(root, {"tests/test_app.py": "def test_a(mocker):\n    assert mocker\n"})
    findings = ta203(analysis)
    assert len(findings) == 1
    assert "a fixture of pytest-mock, which is not installed in" in findings[0].message
    assert analysis.view.absent_plugins.note() is None


def test_the_suites_env_lacking_a_declared_plugin_is_a_note(tmp_path: Path) -> None:
    root = tmp_path / "suite"
    fake_venv(root / ".venv")
    analysis = analysed(
        root,
        {
            "pyproject.toml": PYPROJECT.format(deps='"pytest-mock"'),
            "tests/test_app.py": "def test_a(mocker):\n    assert mocker\n",
        },
    )
    assert ta203(analysis) == []
    note = analysis.view.absent_plugins.note()
    assert note is not None
    assert ".venv in the rootdir" in note
    assert "install them there" in note


# -- fixtures on a base class, as methods and classmethods: pytest is ground truth ------

BASE = (
    "import pytest\n\n\nclass CacheTests:\n"
    "    @pytest.fixture\n    def make_cache(self):\n        raise NotImplementedError\n\n"
    "    @pytest.fixture\n    def cache(self, make_cache):\n        return make_cache()\n"
)
SUBCLASSES = (
    "import pytest\n\nfrom tests.base import CacheTests\n\n\n"
    "class TestDict(CacheTests):\n"
    "    @pytest.fixture\n    def make_cache(self):\n        return dict\n\n"
    "    def test_empty(self, cache):\n        assert cache == {}\n\n\n"
    "class TestNull(CacheTests):\n"
    "    @pytest.fixture(scope='class', autouse=True)\n    @classmethod\n"
    "    def make_cache(cls):\n        return list\n\n"
    "    def test_empty(self, cache):\n        assert cache == []\n\n\n"
    "class TestInherited(TestDict):\n"
    "    def test_inherited(self, cache):\n        assert cache == {}\n"
)


def pytest_run(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_base_class_fixtures_resolve_as_pytest_resolves_them(tmp_path: Path) -> None:
    files = {"tests/__init__.py": "", "tests/base.py": BASE, "tests/test_caches.py": SUBCLASSES}
    analysis = analysed(tmp_path, files)
    assert ta203(analysis) == []
    closures = {n: t.names for n, t in analysis.resolution.tests.items()}
    assert "make_cache" in closures["tests/test_caches.py::TestNull::test_empty"]
    ran = pytest_run(tmp_path)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "4 passed" in ran.stdout


@pytest.mark.slow
def test_classmethod_above_the_fixture_decorator_follows_the_pytest_version(
    tmp_path: Path,
) -> None:
    # `@classmethod` over `@pytest.fixture`: a fixture before pytest 9.2, not after
    subclass = (
        "import pytest\n\nfrom tests.base import CacheTests\n\n\n"
        "class TestNull(CacheTests):\n"
        "    @classmethod\n    @pytest.fixture\n    def make_cache(cls):\n        return list\n\n"
        "    def test_empty(self, cache):\n        assert cache == []\n"
    )
    files = {"tests/__init__.py": "", "tests/base.py": BASE, "tests/test_null.py": subclass}
    analysis = analysed(tmp_path, files)
    ran = pytest_run(tmp_path)
    not_found = "fixture 'make_cache' not found" in ran.stdout
    assert not_found == (analysis.suite.pytest_version >= (9, 2)), ran.stdout
    assert bool(ta203(analysis)) == not_found
