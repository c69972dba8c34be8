"""The suite's own environment: found as `--python`, `VIRTUAL_ENV`, a `.venv` in the
rootdir; its pytest and `pytest11` plugins read from its site-packages as files (a fake
virtualenv here, whose modules raise if anything imports them), and named in the report."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from auditor.model.build import BuildOptions
from auditor.model.environment import OWN, find_environment, python_of, site_packages
from auditor.model.plugin_sources import pytest11_entry_points, pytest_version
from auditor.pipeline import analyse_path

EXPLODES = "raise RuntimeError('never imported')\n"
PYTEST_CONFIG = (
    'essential_plugins = (\n    "mark",\n)\n'
    'default_plugins = essential_plugins + (\n    "tmpdir",\n)\n'
    "def main(): pass\n" + EXPLODES
)


def fake_venv(folder: Path) -> Path:
    """A virtualenv with pytest 7.4.4 (builtins `mark`, `tmpdir`), a plugin distribution
    `acme` under `pytest11`, and an editable one found through a `.pth` file."""
    site = folder / "lib" / "python3.11" / "site-packages"
    (site / "_pytest" / "config").mkdir(parents=True)
    (folder / "bin").mkdir()
    (folder / "bin" / "python").write_text("", encoding="utf-8")
    (folder / "pyvenv.cfg").write_text(
        "home = /nowhere/bin\ninclude-system-site-packages = false\nversion = 3.11.7\n",
        encoding="utf-8",
    )
    (site / "_pytest" / "__init__.py").write_text(EXPLODES, encoding="utf-8")
    (site / "_pytest" / "config" / "__init__.py").write_text(PYTEST_CONFIG, encoding="utf-8")
    (site / "_pytest" / "mark.py").write_text(EXPLODES, encoding="utf-8")
    (site / "_pytest" / "tmpdir.py").write_text(
        "import pytest\n@pytest.fixture\ndef tmpdir():\n    pass\n" + EXPLODES, encoding="utf-8"
    )
    dist = site / "pytest-7.4.4.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: pytest\nVersion: 7.4.4\n\n")
    acme = site / "pytest_acme-1.0.dist-info"
    acme.mkdir()
    (acme / "METADATA").write_text("Metadata-Version: 2.1\nName: pytest-acme\nVersion: 1.0\n\n")
    (acme / "entry_points.txt").write_text(
        "[console_scripts]\nacme = acme:main\n\n[pytest11]\nacme = pytest_acme.plugin\n",
        encoding="utf-8",
    )
    (site / "pytest_acme").mkdir()
    (site / "pytest_acme" / "__init__.py").write_text(EXPLODES, encoding="utf-8")
    (site / "pytest_acme" / "plugin.py").write_text(
        "import pytest\n@pytest.fixture\ndef acme_backend():\n    return 'x'\n" + EXPLODES,
        encoding="utf-8",
    )
    editable = folder / "editable_src"
    (editable / "pytest_local").mkdir(parents=True)
    (editable / "pytest_local" / "__init__.py").write_text(
        "import pytest\n@pytest.fixture\ndef local_thing():\n    pass\n" + EXPLODES,
        encoding="utf-8",
    )
    (site / "__editable__.pytest_local.pth").write_text(
        f"import os\n{editable}\n", encoding="utf-8"
    )
    local = site / "pytest_local-0.1.dist-info"
    local.mkdir()
    (local / "entry_points.txt").write_text("[pytest11]\nlocal = pytest_local\n")
    return folder


def suite(root: Path) -> Path:
    (root / "tests").mkdir(parents=True)
    (root / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (root / "tests" / "test_it.py").write_text(
        "def test_it(acme_backend, local_thing, tmpdir):\n    pass\n", encoding="utf-8"
    )
    return root


@pytest.fixture
def no_virtual_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", raising=False)


@pytest.mark.usefixtures("no_virtual_env")
def test_plugins_come_from_the_suites_interpreter(tmp_path: Path) -> None:
    venv = fake_venv(tmp_path / "suite-venv")
    root = suite(tmp_path / "project")
    options = BuildOptions(use_cache=False, python=str(venv / "bin" / "python"))
    analysis = analyse_path(root, build=options)
    model = analysis.suite
    assert model.environment is not None
    assert model.environment.found_by == "--python"
    assert model.pytest_version == (7, 4)
    assert set(model.plugins) == {"tmpdir", "acme", "local"}  # those defining fixtures
    [test] = model.tests
    resolved = analysis.resolution.tests[test.nodeid]
    assert {"acme_backend", "local_thing", "tmpdir"} <= set(resolved.names)
    assert "pytest_acme" not in sys.modules
    assert "pytest_local" not in sys.modules


@pytest.mark.usefixtures("no_virtual_env")
def test_a_venv_in_the_rootdir_is_found(tmp_path: Path) -> None:
    root = suite(tmp_path / "project")
    fake_venv(root / ".venv")
    environment = find_environment(root)
    assert environment.found_by == ".venv in the rootdir"
    assert environment.site_packages == (root / ".venv/lib/python3.11/site-packages",)
    assert python_of(environment) == str(root / ".venv" / "bin" / "python")
    model = analyse_path(root, build=BuildOptions(use_cache=False)).suite
    assert "acme" in model.plugins


def test_order_python_then_virtual_env_then_rootdir(tmp_path: Path) -> None:
    root = tmp_path / "project"
    fake_venv(root / "venv")
    other = fake_venv(tmp_path / "active")
    given = fake_venv(tmp_path / "given")
    environ = {"VIRTUAL_ENV": str(other)}
    assert find_environment(root, str(given / "bin/python"), environ).found_by == "--python"
    assert find_environment(root, None, environ).found_by == "VIRTUAL_ENV"
    assert find_environment(root, None, {}).found_by == "venv in the rootdir"
    # test-auditor's own VIRTUAL_ENV is not the suite's: the rootdir's venv wins
    assert find_environment(root, None, {"VIRTUAL_ENV": sys.prefix}).found_by == (
        "venv in the rootdir"
    )
    assert find_environment(tmp_path, None, {"VIRTUAL_ENV": sys.prefix}).found_by == OWN
    assert find_environment(tmp_path, sys.executable, {}).own


def test_system_site_packages_and_entry_points(tmp_path: Path) -> None:
    base = tmp_path / "base"
    (base / "lib" / "python3.11" / "site-packages").mkdir(parents=True)
    venv = fake_venv(tmp_path / "venv")
    (venv / "pyvenv.cfg").write_text(
        f"home = {base}/bin\ninclude-system-site-packages = true\nversion = 3.11.7\n"
    )
    found = site_packages(venv)
    assert found == [
        venv / "lib/python3.11/site-packages",
        base / "lib/python3.11/site-packages",
    ]
    entries = pytest11_entry_points(found)
    assert ("acme", "pytest_acme.plugin") in entries
    assert ("local", "pytest_local") in entries
    assert pytest_version(find_environment(tmp_path, str(venv), {})) == (7, 4)


@pytest.mark.usefixtures("no_virtual_env")
def test_the_report_says_whose_plugins_were_read(tmp_path: Path) -> None:
    from auditor.config import load_config
    from auditor.lint.registry import all_rules
    from auditor.pipeline import scan
    from auditor.report.json_report import report_dict

    root = suite(tmp_path / "project")
    venv = fake_venv(root / ".venv")
    config = load_config([root], invocation_dir=root)
    result = scan(
        config, [root], rules=all_rules(), build=BuildOptions(use_cache=False), invocation_dir=root
    )
    data = report_dict(result.report)
    assert data["environment"]["found_by"] == ".venv in the rootdir"
    assert data["environment"]["site_packages"] == [str(venv / "lib/python3.11/site-packages")]
    assert data["environment"]["own"] is False
