"""The distributions a project declares, read from its files, and the distributions an
environment has installed (from metadata folders)."""

from __future__ import annotations

from pathlib import Path

from auditor.model.declared import declared_distributions, requirement_name
from auditor.model.environment import SuiteEnvironment
from auditor.model.known_plugins import (
    installed_distributions,
    plugins_providing,
    with_plugin_params,
)
from auditor.model.suite import FixtureDef, Origin
from auditor.testing import write_tree
from auditor.types import Scope


def test_requirement_names() -> None:
    assert requirement_name("Pytest_Mock[extra]>=3.1 ; python_version<'3.12'") == "pytest-mock"
    assert requirement_name("pytest-cov  # coverage") == "pytest-cov"
    for skipped in ("-e .[test]", "--index-url x", "# comment", "", "./local", "git+https://x"):
        assert requirement_name(skipped) is None


def test_every_kind_of_declaration(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": '[project]\ndependencies = ["anyio>=4"]\n'
            '[project.optional-dependencies]\ntest = ["pytest-mock"]\n'
            '[dependency-groups]\ndev = ["pytest-xprocess", {include-group = "test"}]\n'
            "[tool.poetry.group.test.dependencies]\npython = '^3.10'\npytest_httpx = '*'\n"
            "[tool.poetry.dev-dependencies]\nrespx = '*'\n"
            '[tool.pdm.dev-dependencies]\ntest = ["pytest-check"]\n'
            '[tool.hatch.envs.test]\ndependencies = ["syrupy"]\n',
            "setup.cfg": "[options]\ninstall_requires =\n    flask\ntests_require =\n"
            "    pytest-timeout\n[options.extras_require]\ntest =\n    pytest-benchmark\n",
            "setup.py": "from setuptools import setup\nTESTS = ['pytest-socket']\n"
            "setup(name='x', tests_require=TESTS, extras_require={'d': ['pytest-qt>1']})\n",
            "noxfile.py": "import nox\n\n@nox.session\ndef tests(session):\n"
            "    session.install('pytest-randomly', '-e', '.')\n",
            "Pipfile": "[dev-packages]\npytest-datadir = '*'\n",
            "tox.ini": "[testenv]\ndeps =\n    -r requirements/test.txt\n"
            "    sqla14: SQLAlchemy==1.4.*\n    {[base]deps}\n",
            "requirements-dev.txt": "-r requirements/test.txt\npytest-docker\n",
            "requirements/test.txt": "-r ../requirements-dev.txt\npyfakefs==5\n",
        },
    )
    declared = declared_distributions(tmp_path)
    expected = {
        "anyio": "pyproject.toml",
        "pytest-mock": "pyproject.toml",
        "pytest-xprocess": "pyproject.toml",
        "pytest-httpx": "pyproject.toml",
        "respx": "pyproject.toml",
        "pytest-check": "pyproject.toml",
        "syrupy": "pyproject.toml",
        "flask": "setup.cfg",
        "pytest-timeout": "setup.cfg",
        "pytest-benchmark": "setup.cfg",
        "pytest-socket": "setup.py",
        "pytest-qt": "setup.py",
        "pytest-randomly": "noxfile.py",
        "pytest-datadir": "Pipfile",
        "sqlalchemy": "tox.ini",
        "pytest-docker": "requirements-dev.txt",
        "pyfakefs": "requirements/test.txt",
    }
    for name, where in expected.items():
        assert where in declared.get(name, ()), (name, declared.get(name))
    assert "python" not in declared


def test_broken_files_are_skipped(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": "[project\n",
            "setup.py": "def (:\n",
            "requirements.txt": "pytest-mock\n",
        },
    )
    assert declared_distributions(tmp_path) == {"pytest-mock": ("requirements.txt",)}


def test_installed_distributions_from_metadata_folders(tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    for folder in ("pytest_mock-3.14.0.dist-info", "Legacy_Thing.egg-info", "anyio-4.4.dist-info"):
        (site / folder).mkdir(parents=True)
    environment = SuiteEnvironment(str(tmp_path), "--python", (site,))
    assert installed_distributions(environment) == {"pytest-mock", "legacy-thing", "anyio"}


def test_plugins_providing() -> None:
    assert plugins_providing("mocker") == ("pytest-mock",)
    assert set(plugins_providing("benchmark")) == {"pytest-benchmark", "pytest-codspeed"}
    assert plugins_providing("no_such_fixture") == ()


def test_anyio_backends_are_counted_from_the_environment(tmp_path: Path) -> None:
    # starlette 0.41.3: every test runs once per anyio backend, 863 items from 433 tests
    # when trio is installed; `params=get_available_backends()` is not a literal
    site = tmp_path / "site-packages"
    (site / "anyio-4.6.dist-info").mkdir(parents=True)
    environment = SuiteEnvironment(str(tmp_path), "--python", (site,))
    backend = FixtureDef(
        "anyio_backend",
        "",
        "anyio/pytest_plugin.py",
        276,
        "anyio_backend",
        Scope.MODULE,
        Origin.PLUGIN,
        0,
        has_params=True,
    )
    other = FixtureDef(
        "anyio_backend",
        "",
        "tests/conftest.py",
        3,
        "anyio_backend",
        Scope.MODULE,
        Origin.CONFTEST,
        1,
        has_params=True,
    )
    (counted, own) = with_plugin_params([backend, other], environment)
    assert counted.params_count == 1
    assert own.params_count is None  # a suite's own fixture keeps what its source says
    (site / "trio-0.27.0.dist-info").mkdir()
    (counted, _) = with_plugin_params([backend, other], environment)
    assert counted.params_count == 2
