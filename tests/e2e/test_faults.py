"""`leaks` and `scan --run` when pytest dies: never "all clear", no process or temporary
folder left behind, the user's files as they were.

Each fault gets its own suite: a test that calls ``os._exit``, one that crashes the
interpreter (SIGSEGV), one that raises ``KeyboardInterrupt``, one that hangs past the
per-test timeout with a child process of its own, test-auditor itself interrupted
(SIGINT) or terminated (SIGTERM), and a test that deletes a file of the project.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import interruptible_auditor, leaks_schema_errors, run_process, write_suite

pytestmark = pytest.mark.slow

PASSES = "def test_{name}():\n    assert True\n"


def fault_suite(root: Path, fault: str) -> Path:
    return write_suite(
        root / "suite",
        {
            "pytest.ini": "[pytest]\n",
            "test_a.py": PASSES.format(name="before"),
            "test_b.py": fault,
            "test_c.py": PASSES.format(name="after"),
        },
    )


def processes_with(marker: str) -> list[str]:
    """Command lines of live processes that contain ``marker`` (the process table)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if marker in command and "pytest" not in command.split(" ", 1)[0]:
            found.append(command)
    return [c for c in found if not c.startswith(sys.executable + " -m pytest")]


def until(condition: Callable[[], bool], timeout: float = 60) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` seconds pass; its last answer."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        os.sched_yield()
        time.sleep(0.05)  # noqa: TA401 -- polling the process table, not waiting blindly
    return True


def leftovers(tmp: Path) -> list[str]:
    return sorted(p.name for p in tmp.iterdir() if p.name.startswith("test-auditor-"))


def env_for(tmp_path: Path) -> dict[str, str]:
    tmp = tmp_path / "tmp"
    tmp.mkdir(exist_ok=True)
    return {"TMPDIR": str(tmp)}


def hunt(tmp_path: Path, suite: Path, *args: str, rounds: int = 0) -> dict[str, Any]:
    result = run_process(
        *("leaks", "--rounds", str(rounds), "--format", "json", *args),
        cwd=suite,
        env=env_for(tmp_path),
    )
    assert result.code == 1, result.err  # something was found: never "all clear"
    report = result.json()
    assert leaks_schema_errors(report) == []
    assert leftovers(tmp_path / "tmp") == []
    return report


@pytest.mark.parametrize(
    ("fault", "why"),
    [
        ("import os\n\ndef test_exits():\n    os._exit(1)\n", "exited with code 1"),
        ("import ctypes\n\ndef test_segfaults():\n    ctypes.string_at(0)\n", "SIGSEGV"),
        ("def test_interrupts():\n    raise KeyboardInterrupt\n", "interrupted"),
    ],
    ids=["os-exit", "segfault", "keyboard-interrupt"],
)
def test_a_test_that_ends_pytest_is_named_and_the_rest_still_runs(
    tmp_path: Path, fault: str, why: str
) -> None:
    suite = fault_suite(tmp_path, fault)
    report = hunt(tmp_path, suite)
    [crash] = report["crashed"]
    assert crash["nodeid"].startswith("test_b.py::")
    assert why in crash["why"]
    assert report["rounds"][0]["tests"] == 2  # test_a, then test_c in a new process
    assert report["not_run"] == []


@pytest.mark.parametrize(
    "fault",
    [
        "import os\n\ndef test_exits():\n    os._exit(1)\n",
        "def test_interrupts():\n    raise KeyboardInterrupt\n",
    ],
    ids=["os-exit", "keyboard-interrupt"],
)
def test_scan_run_never_calls_a_test_that_did_not_finish_passed(tmp_path: Path, fault: str) -> None:
    suite = fault_suite(tmp_path, fault)
    result = run_process("scan", "--run", "--format", "json", cwd=suite, env=env_for(tmp_path))
    assert result.code in (0, 1), result.err
    report = result.json()
    outcomes = {t["nodeid"]: t.get("run", {}).get("outcome") for t in report["tests"]}
    faulty = next(nodeid for nodeid in outcomes if nodeid.startswith("test_b.py::"))
    assert outcomes[faulty] != "passed"
    assert outcomes["test_c.py::test_after"] == "passed"
    notes = report["run"]["profile"]["notes"]
    assert any(faulty in note and "did not finish" in note for note in notes), notes


def test_a_hanging_test_and_its_child_process_are_ended_at_the_timeout(tmp_path: Path) -> None:
    marker = "1000.4242"
    suite = fault_suite(
        tmp_path,
        "import subprocess, time\n\ndef test_hangs():\n"
        f"    subprocess.Popen(['sleep', '{marker}'])\n    time.sleep(1000)\n",
    )
    started = time.monotonic()
    report = hunt(tmp_path, suite, "--timeout", "3")
    assert time.monotonic() - started < 60
    [crash] = report["crashed"]
    assert crash["nodeid"] == "test_b.py::test_hangs"
    assert "timeout of 3 s" in crash["why"]
    assert processes_with(marker) == []


@pytest.mark.parametrize(
    ("sent", "code", "word"),
    [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")],
    ids=["sigint", "sigterm"],
)
def test_interrupting_test_auditor_ends_pytest_and_its_children(
    tmp_path: Path, sent: signal.Signals, code: int, word: str
) -> None:
    marker = f"1000.{int(sent)}4343"
    suite = fault_suite(
        tmp_path,
        "import subprocess, time\n\ndef test_hangs():\n"
        f"    subprocess.Popen(['sleep', '{marker}'])\n    time.sleep(1000)\n",
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    environment.update(env_for(tmp_path))
    process = subprocess.Popen(
        [*interruptible_auditor(), "leaks", "--timeout", "0", "--rounds", "0"],
        cwd=suite,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert until(lambda: bool(processes_with(marker))), "the hanging test never started"
        process.send_signal(sent)
        _, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == code, err
    assert word in err
    assert "test_b.py::test_hangs" in err or "default order" in err
    assert until(lambda: not processes_with(marker), timeout=5), processes_with(marker)
    assert leftovers(tmp_path / "tmp") == []


def test_a_test_that_deletes_a_project_file_is_not_flaky_and_the_file_comes_back(
    tmp_path: Path,
) -> None:
    suite = write_suite(
        tmp_path / "suite",
        {
            "pytest.ini": "[pytest]\n",
            "data/fixture.txt": "precious\n",
            "test_a.py": (
                "from pathlib import Path\n\n"
                "DATA = Path(__file__).parent / 'data' / 'fixture.txt'\n\n"
                "def test_reads():\n    assert DATA.read_text() == 'precious\\n'\n\n"
                "def test_removes():\n    DATA.unlink()\n"
            ),
        },
    )
    report = hunt(tmp_path, suite, rounds=1)  # the targeted order runs the remover first
    assert (suite / "data" / "fixture.txt").read_text() == "precious\n"
    assert report["flaky"] == []
    assert [(p["polluter"], p["victim"]) for p in report["pairs"]] == [
        ("test_a.py::test_removes", "test_a.py::test_reads")
    ]
    restored = {(r["path"], r["change"], r["restored"]) for r in report["files_restored"]}
    assert ("data/fixture.txt", "deleted", True) in restored


def test_a_module_pytest_cannot_collect_is_named_in_the_report(tmp_path: Path) -> None:
    suite = fault_suite(tmp_path, "import no_such_module_anywhere\n\ndef test_x():\n    pass\n")
    report = hunt(tmp_path, suite, "--", "--continue-on-collection-errors")
    [error] = report["collection_errors"]
    assert error["nodeid"] == "test_b.py"
    assert "no_such_module_anywhere" in error["error"]
