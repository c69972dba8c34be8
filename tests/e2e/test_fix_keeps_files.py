"""`check --fix` keeps each file as the user had it: a symlink stays a link (its target is
rewritten), the owner and mode stay, a read-only file is refused, a lone-CR file keeps its
final line ending."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.e2e.helpers import RunCli, write_suite

LEAKY = 'import os\n\ndef test_x():\n    os.environ["A"] = "1"\n    assert True\n'
FIXED = 'import os\n\ndef test_x(monkeypatch):\n    monkeypatch.setenv("A", "1")\n    assert True\n'


def suite(tmp_path: Path, files: dict[str, str]) -> Path:
    return write_suite(tmp_path / "suite", {"pytest.ini": "[pytest]\n", **files})


def test_a_symlinked_test_file_stays_a_link_and_its_target_is_fixed(
    run_cli: RunCli, tmp_path: Path
) -> None:
    root = suite(tmp_path, {"shared/real_tests.py": LEAKY})
    (root / "test_linked.py").symlink_to("shared/real_tests.py")
    result = run_cli("check", "--fix", "--no-cache", "test_linked.py", cwd=root)
    assert "Fixed 1 problem" in result.out, result.out + result.err
    assert (root / "test_linked.py").is_symlink()
    assert (root / "shared/real_tests.py").read_text() == FIXED


def test_mode_and_owner_are_kept(run_cli: RunCli, tmp_path: Path) -> None:
    root = suite(tmp_path, {"test_a.py": LEAKY})
    target = root / "test_a.py"
    target.chmod(0o640)
    other = os.geteuid() == 0
    if other:  # as root, give the file to another user, as on a shared checkout
        os.chown(target, 4242, 4343)
    run_cli("check", "--fix", "--no-cache", cwd=root)
    assert target.read_text() == FIXED
    status = target.stat()
    assert stat.S_IMODE(status.st_mode) == 0o640
    if other:
        assert (status.st_uid, status.st_gid) == (4242, 4343)


def test_a_read_only_file_is_refused_and_left_alone(run_cli: RunCli, tmp_path: Path) -> None:
    root = suite(tmp_path, {"test_a.py": LEAKY})
    target = root / "test_a.py"
    target.chmod(0o444)
    result = run_cli("check", "--fix", "--no-cache", cwd=root)
    assert target.read_text() == LEAKY
    assert stat.S_IMODE(target.stat().st_mode) == 0o444
    assert "read-only" in result.err
    assert result.code == 1  # the finding is still there
    assert "TA301" in result.out


@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"], ids=["cr", "crlf", "lf"])
def test_line_endings_are_kept_to_the_last_one(
    run_cli: RunCli, tmp_path: Path, newline: str
) -> None:
    root = suite(tmp_path, {})
    (root / "test_a.py").write_bytes(LEAKY.replace("\n", newline).encode())
    run_cli("check", "--fix", "--no-cache", cwd=root)
    assert (root / "test_a.py").read_bytes() == FIXED.replace("\n", newline).encode()
