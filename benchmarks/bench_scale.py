"""Peak memory and wall time of `scan` and `check` on generated suites of near-identical
tests: 50,000 in one file, and 20,000 spread over 200 files (issue: memory bounded).

    python benchmarks/bench_scale.py [--out DIR] [--only one-file|many-files]

Each command runs in its own process with the cache off; peak memory is the child's
maximum resident set size (``ru_maxrss`` of the waited-for child), so the figures are what
a user's machine would need. Timings on a shared machine are noisy: read them as orders of
magnitude, run again before concluding.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TEST = "def test_case_{i}():\n    value = compute({i}, 'x{i}')\n    assert value == {double}\n\n"
HEADER = "import pytest\n\nfrom app import compute\n\n"


def one_file(root: Path, tests: int = 50_000) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pytest.ini").write_text("[pytest]\n")
    body = "".join(TEST.format(i=i, double=2 * i) for i in range(tests))
    (root / "test_generated.py").write_text(HEADER + body)
    return root


def many_files(root: Path, files: int = 200, per_file: int = 100) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pytest.ini").write_text("[pytest]\n")
    (root / "tests").mkdir(exist_ok=True)
    for number in range(files):
        body = "".join(TEST.format(i=number * per_file + i, double=i) for i in range(per_file))
        (root / "tests" / f"test_part_{number:03}.py").write_text(HEADER + body)
    return root


def measure(command: list[str], cwd: Path) -> tuple[float, float, int]:
    """(seconds, peak MB, exit code) of one command in a child process."""
    started = time.monotonic()
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        print(process.stderr.read() if process.stderr else "", file=sys.stderr)
    return seconds, usage.ru_maxrss / 1024, code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="where to generate the suites (default: temp)")
    parser.add_argument("--only", choices=("one-file", "many-files"))
    args = parser.parse_args()
    base = args.out or Path(tempfile.mkdtemp(prefix="bench-scale-"))
    suites = {"one-file": one_file, "many-files": many_files}
    failed = 0
    print("| suite | command | wall s | peak MB | exit |")
    print("|---|---|---:|---:|---:|")
    for name, make in suites.items():
        if args.only and name != args.only:
            continue
        root = make(base / name)
        for command in ("scan", "check"):
            seconds, peak, code = measure(
                [sys.executable, "-m", "auditor", command, "--no-cache", "--format", "json"]
                if command == "scan"
                else [sys.executable, "-m", "auditor", command, "--no-cache"],
                root,
            )
            failed += code not in (0, 1)
            print(f"| {name} | {command} | {seconds:.1f} | {peak:.0f} | {code} |", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
