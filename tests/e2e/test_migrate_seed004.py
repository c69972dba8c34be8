"""`migrate` on the seed-004-style sample (tests/samples/migrate_seed004), in a git
repository: `plan` then `apply --run` gives the tiered layout with every test kept, the
same outcome per test and the markers registered; `plan` afterwards has nothing to apply;
and a verification that fails puts every byte back."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.migrate.plan_file import Plan, read
from tests.e2e.helpers import SAMPLES, RunCli, git

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("git") is None, reason="needs git"),
]

OUTCOME = re.compile(r"^(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS) (\S+)")


def pytest_in(root: Path, *args: str) -> str:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    environment["PYTHONDONTWRITEBYTECODE"] = "1"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:randomly", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env=environment,
        check=False,
        timeout=300,
    )
    assert done.returncode in (0, 1, 5), done.stdout + done.stderr
    return done.stdout


def collect(root: Path, *args: str) -> list[str]:
    output = pytest_in(root, "--collect-only", "-q", *args)
    return sorted(line for line in output.splitlines() if "::" in line)


def outcomes(root: Path) -> dict[str, str]:
    found = {}
    for line in pytest_in(root, "-q", "-rA").splitlines():
        match = OUTCOME.match(line)
        if match:
            found[match.group(2)] = match.group(1)
    return found


def digests(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not {"__pycache__", ".pytest_cache", ".git"} & set(path.parts)
    }


@pytest.fixture
def seed004(tmp_path: Path) -> Path:
    root = tmp_path / "seed004"
    shutil.copytree(SAMPLES / "migrate_seed004", root, ignore=shutil.ignore_patterns("__pycache__"))
    (root / ".gitignore").write_text("test-auditor-migration.toml\nagain.toml\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "the flat suite")
    return root


def planned(run_cli: RunCli, root: Path) -> Plan:
    result = run_cli("migrate", "plan", "--no-cache", cwd=root)
    assert result.code == 0, result.err
    return read(root / "test-auditor-migration.toml")


def test_plan_and_apply_give_the_tiered_layout_with_every_test_and_outcome(
    run_cli: RunCli, seed004: Path
) -> None:
    before_ids, before = collect(seed004), outcomes(seed004)
    assert len(before_ids) == len(before) == 75
    assert set(before.values()) == {"PASSED"}
    plan = planned(run_cli, seed004)
    kinds = [op.kind for op in plan.applied]
    assert kinds.count("move") >= 40  # 42 modules + the api conftest going with them
    assert kinds.count("rename") == 2
    assert kinds.count("split") == 1
    assert kinds.count("notest") == 1
    assert kinds.count("rewrite") >= 8
    hoists = {op.name: op for op in plan.applied if op.kind == "hoist"}
    assert sorted(hoists) == ["regulatory_config", "sample_project"]
    assert hoists["sample_project"].path == "tests/conftest.py"
    assert hoists["sample_project"].copies == (
        "tests/test_predicate_repository.py",
        "tests/test_project_archive.py",
        "tests/test_project_listing.py",
    )
    held = {op.path: op for op in plan.operations if not op.apply}
    assert list(held) == ["tests/test_auth_mixed.py"]
    assert held["tests/test_auth_mixed.py"].hazards == (
        "fixture `signing_key` (module) is used by tests of 2 parts: it would become two instances",
    )

    applied = run_cli("migrate", "apply", "--run", "test-auditor-migration.toml", cwd=seed004)
    assert applied.code == 0, applied.out + applied.err

    after_ids, after = collect(seed004), outcomes(seed004)
    assert after_ids == sorted(plan.new_nodeid(n) for n in before_ids)  # 0 tests lost
    assert after == {plan.new_nodeid(n): outcome for n, outcome in before.items()}
    for tier in ("unit", "integration", "performance"):
        selected = collect(seed004, "--strict-markers", "-m", tier)
        assert selected
        assert all(n.startswith((f"tests/{tier}/", "tests/test_auth_mixed.py")) for n in selected)
    pyproject = (seed004 / "pyproject.toml").read_text()
    assert "# pytest reads this table; `migrate` registers its tier markers here" in pyproject
    assert "unit: unit tier (registered by test-auditor migrate)" in pyproject
    tests = seed004 / "tests"
    assert (tests / "integration/api/conftest.py").is_file()
    conftest = (tests / "conftest.py").read_text()
    assert "from medapp.core import load_config\n" in conftest
    assert "from medapp.services import ProjectService\n" in conftest
    assert (
        "\n\n\n@pytest.fixture\ndef sample_project(db_session, user_factory):\n"
        '    return ProjectService(db_session).create(user_factory(), "Sample")\n'
    ) in conftest
    assert (
        "\n\n\n@pytest.fixture\ndef regulatory_config():\n"
        '    return load_config({"environment": "test"})\n'
    ) in conftest
    for module in ("integration/test_project_archive.py", "unit/test_config_defaults.py"):
        assert "@pytest.fixture" not in (tests / module).read_text()
    assert (tests / "helpers.py").is_file()
    assert not (tests / "test_helpers.py").exists()
    assert (
        b"from tests.integration.test_project_service import PROJECT_NAME"
        in (tests / "integration/api/test_project_api.py").read_bytes()
    )
    assert (
        b'mock.patch("tests.unit.test_notifications.send_email")'
        in (tests / "integration/test_project_submission.py").read_bytes()
    )
    assert (
        b'DATA = Path(__file__).parents[1] / "data"'
        in (tests / "unit/test_device_catalog.py").read_bytes()
    )
    crlf = (tests / "unit/test_legacy_crlf.py").read_bytes()
    assert b"pytestmark = pytest.mark.unit\r\n" in crlf
    assert b"\n" not in crlf.replace(b"\r\n", b"")
    latin1 = (tests / "unit/test_legacy_latin1.py").read_bytes()
    assert latin1.startswith(b"# -*- coding: latin-1 -*-\n")
    assert "m\u00e9dical".encode("latin-1") in latin1
    assert "R  tests/test_helpers.py -> tests/helpers.py" in git(seed004, "status", "--porcelain")

    again = run_cli("migrate", "plan", "--no-cache", "-o", "again.toml", cwd=seed004)
    assert again.code == 0, again.err
    assert not read(seed004 / "again.toml").applied, again.out  # nothing left to do


def test_a_verification_that_fails_rolls_back_byte_for_byte(run_cli: RunCli, seed004: Path) -> None:
    planned(run_cli, seed004)
    plan_file = seed004 / "test-auditor-migration.toml"
    text = plan_file.read_text(encoding="utf-8")
    # a module moved where pytest does not collect it: the verification must fail
    edited = text.replace(
        'target = "tests/unit/test_slugify.py"', 'target = "tests/unit/slugify_checks.py"'
    )
    assert edited != text
    plan_file.write_text(edited, encoding="utf-8")
    files = digests(seed004)
    index = (seed004 / ".git/index").read_bytes()
    status = git(seed004, "status", "--porcelain")

    result = run_cli("migrate", "apply", "--run", "test-auditor-migration.toml", cwd=seed004)

    assert result.code == 1, result.out + result.err
    assert "lost (expected, not collected): tests/unit/slugify_checks.py::" in result.out
    assert "every file was put back" in result.out
    assert "NOT RESTORED" not in result.err
    assert digests(seed004) == files
    assert (seed004 / ".git/index").read_bytes() == index
    assert git(seed004, "status", "--porcelain") == status
    for folder in ("unit", "integration", "performance"):
        assert not (seed004 / "tests" / folder).exists()
