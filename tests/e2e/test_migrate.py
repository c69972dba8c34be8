"""`migrate plan -> diff -> apply` on a copy of the shop sample in a git repository: the
node-id mapping holds through pytest, the markers select the planned tests, and a
verification that fails puts every byte back (files, a latin-1 CRLF file, git's index)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.migrate.plan_file import read
from tests.e2e.helpers import SAMPLES, RunCli, git

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("git") is None, reason="needs git"),
]

LATIN1_CRLF = (
    "# -*- coding: latin-1 -*-\r\n\r\n\r\ndef test_caf\u00e9():\r\n    assert 'd\u00e9j\u00e0'\r\n"
)
UNTOUCHED = "caf\u00e9 cr\u00e8me\r\nline two\r\n".encode("latin-1")


def collect(root: Path, *args: str) -> list[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    environment["PYTHONDONTWRITEBYTECODE"] = "1"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    assert done.returncode in (0, 5), done.stdout + done.stderr
    return sorted(line for line in done.stdout.splitlines() if "::" in line)


def digests(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and ".pytest_cache" not in path.parts
    }


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    root = tmp_path / "shop"
    shutil.copytree(
        SAMPLES / "shop", root, ignore=shutil.ignore_patterns(".test-auditor-cache", "__pycache__")
    )
    with (root / "pyproject.toml").open("a", encoding="utf-8") as pyproject:
        # the sample's tests/integration/conftest.py overrides db_session, so a folder of
        # its own lets moves be proven (and others be held back for the fixtures they lose)
        pyproject.write('\n[tool.test-auditor.migrate]\nfolders = { integration = "api_db" }\n')
    (root / "tests/test_legacy.py").write_bytes(LATIN1_CRLF.encode("latin-1"))
    (root / "tests/legacy.txt").write_bytes(UNTOUCHED)
    (root / ".gitignore").write_text("test-auditor-migration.toml\n.test-auditor-cache/\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "the suite")
    return root


def test_plan_diff_apply_keeps_every_test_and_marks_the_planned_ones(
    run_cli: RunCli, shop: Path
) -> None:
    before = collect(shop)
    result = run_cli("migrate", "plan", "--no-cache", cwd=shop)
    assert result.code == 0, result.err
    plan = read(shop / "test-auditor-migration.toml")
    moves = plan.moves()
    assert "tests/test_legacy.py" in moves
    assert len(moves) >= 5
    held = {op.path: op for op in plan.operations if not op.apply}
    assert "loses `five_off` from tests/unit/conftest.py" in " ".join(
        held["tests/unit/test_discounts.py"].hazards
    )
    split = next(op for op in plan.applied if op.path == "tests/test_orders.py")
    assert split.kind == "split"
    assert dict(split.parts) == {
        "integration": "tests/api_db/test_orders.py",
        "performance": "tests/performance/test_orders.py",
    }

    files = digests(shop)
    diff = run_cli("migrate", "diff", "test-auditor-migration.toml", cwd=shop)
    assert diff.code == 1
    assert "rename from tests/test_legacy.py\nrename to tests/api_db/test_legacy.py\n" in diff.out
    assert digests(shop) == files  # diff writes nothing

    applied = run_cli("migrate", "apply", "test-auditor-migration.toml", cwd=shop)
    assert applied.code == 0, applied.out + applied.err
    after = collect(shop)
    assert after == sorted(plan.new_nodeid(nodeid) for nodeid in before)
    assert "tests/performance/test_orders.py::test_bulk_order_creation_is_fast" in after
    marked = {
        plan.new_nodeid(test) for op in plan.applied if op.kind == "mark" for test in op.tests
    }
    selected = {n.partition("[")[0] for n in collect(shop, "--strict-markers", "-m", "integration")}
    assert marked <= selected
    legacy = (shop / moves["tests/test_legacy.py"]).read_bytes()
    assert legacy.startswith(b"# -*- coding: latin-1 -*-\r\n")
    assert b"pytestmark = pytest.mark.integration\r\n" in legacy
    assert "caf\u00e9".encode("latin-1") in legacy
    assert (shop / "tests/legacy.txt").read_bytes() == UNTOUCHED
    status = git(shop, "status", "--porcelain")
    assert "R  tests/test_legacy.py -> tests/api_db/test_legacy.py" in status.replace("RM", "R ")
    again = run_cli("migrate", "plan", "--no-cache", "-o", "again.toml", cwd=shop)
    assert not read(shop / "again.toml").applied, again.out  # nothing left to do


def test_a_failed_verification_puts_every_byte_back(run_cli: RunCli, shop: Path) -> None:
    assert run_cli("migrate", "plan", "--no-cache", cwd=shop).code == 0
    plan_file = shop / "test-auditor-migration.toml"
    text = plan_file.read_text(encoding="utf-8")
    # an edit that breaks the change: a module moved where pytest does not collect it
    edited = text.replace(
        'target = "tests/api_db/test_legacy.py"', 'target = "tests/api_db/legacy_checks.py"'
    )
    assert edited != text
    plan_file.write_text(edited, encoding="utf-8")
    files = digests(shop)
    index = (shop / ".git/index").read_bytes()
    status = git(shop, "status", "--porcelain")

    result = run_cli("migrate", "apply", "test-auditor-migration.toml", cwd=shop)

    assert result.code == 1, result.out + result.err
    assert (
        "lost (expected, not collected): tests/api_db/legacy_checks.py::test_caf\u00e9"
        in result.out
    )
    assert "every file was put back" in result.out
    assert "NOT RESTORED" not in result.err
    assert digests(shop) == files
    assert (shop / ".git/index").read_bytes() == index
    assert git(shop, "status", "--porcelain") == status
    assert not (shop / "tests/api_db").exists()


def test_a_stale_plan_is_refused(run_cli: RunCli, shop: Path) -> None:
    assert run_cli("migrate", "plan", "--no-cache", cwd=shop).code == 0
    with (shop / "tests/test_legacy.py").open("ab") as module:
        module.write(b"\r\n")
    files = digests(shop)
    for command in ("diff", "apply"):
        result = run_cli("migrate", command, "test-auditor-migration.toml", cwd=shop)
        assert result.code == 2
        assert "tests/test_legacy.py changed since the plan was made" in result.err
    assert digests(shop) == files
