"""Issue 14's fidelity acceptance, measured: test-auditor installed in a virtualenv of its
own, the suites in theirs, on pytest 7.4.

1. packaging 26.3 and httpx 0.28.1 (sdists, ``benchmarks.suites.FIDELITY_SUITES``), each in
   its own virtualenv with its test requirements and ``pytest>=7.4,<7.5``;
2. a wheel of this checkout, installed (not editable) into a third virtualenv;
3. pytest's ground truth (``--collect-only`` with the ``pytest_groundtruth`` plugin, network
   tests deselected as the suite's packagers do) next to ``scan --format json`` run from the
   third virtualenv, once with ``--python <suite's python>`` and once finding the suite's
   ``.venv`` in its rootdir (a symlink to its virtualenv): node-id agreement (Jaccard, what
   pytest runs against what the scan lists) and closure agreement;
4. ``scan``, ``check``, ``scan --run --python`` and ``leaks --python`` from the third
   virtualenv on suites whose pytest is 7.4: whether each works.

Run from the repository (downloads and builds once under the cache folder)::

    .venv/bin/python -m benchmarks.fidelity [--skip-commands] [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.suites import (
    DEFAULT_CACHE_DIR,
    FIDELITY_SUITES,
    REPO_ROOT,
    Suite,
    base_python,
    fetch,
    run_checked,
    venv_for,
    venv_python,
)
from tests.groundtruth.compare import compare, format_comparison

PLUGIN_DIR = REPO_ROOT / "tests" / "groundtruth"
TARGETS = {"packaging-pytest74": ("node ids", 0.99), "httpx-pytest74": ("closures", 0.98)}

LEAK_SUITE = {
    "pytest.ini": "[pytest]\n",
    "state.py": "ITEMS = []\n",
    "test_pair.py": (
        "import state\n\n"
        "def test_polluter():\n    state.ITEMS.append(1)\n\n"
        "def test_fine():\n    assert 1 + 1 == 2\n\n"
        "def test_victim():\n    assert state.ITEMS == []\n"
    ),
}
"""A suite with one order-dependent pair, for `leaks` on pytest 7.4."""


@dataclass(frozen=True)
class CommandRun:
    name: str
    command: list[str]
    returncode: int
    seconds: float
    works: bool
    detail: str


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR)
    parser.add_argument("--skip-commands", action="store_true", help="only the agreement")
    parser.add_argument("--limit", type=int, default=10, help="examples per list")
    return parser.parse_args(argv)


def tool_venv(cache_dir: Path) -> Path:
    """A fresh virtualenv with test-auditor installed from a wheel of this checkout."""
    work = cache_dir / "fidelity"
    wheels = work / "wheel"
    if wheels.exists():
        shutil.rmtree(wheels)
    wheels.mkdir(parents=True)
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels)]
    run_checked([*pip, str(REPO_ROOT)])
    [wheel] = sorted(wheels.glob("test_auditor-*.whl"))
    venv = work / "tool-venv"
    if venv.exists():
        shutil.rmtree(venv)
    run_checked([base_python(), "-m", "venv", str(venv)])
    install = [str(venv_python(venv)), "-m", "pip", "install", "-q"]
    run_checked([*install, "--disable-pip-version-check", str(wheel)])
    return venv


def ground_truth(suite: Suite, root: Path, venv: Path, out: Path) -> dict[str, Any]:
    environ = {**os.environ, "PYTHONPATH": str(PLUGIN_DIR)}
    environ.pop("VIRTUAL_ENV", None)
    command = [
        str(venv_python(venv)),
        "-m",
        "pytest",
        "-p",
        "pytest_groundtruth",
        f"--gt-dump={out}",
        "--collect-only",
        "-q",
        *suite.collect_args(),
    ]
    subprocess.run(command, cwd=root, env=environ, capture_output=True, check=False)
    dump: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return dump


def auditor(tool: Path) -> str:
    return str(tool / ("Scripts/test-auditor.exe" if os.name == "nt" else "bin/test-auditor"))


def run(name: str, command: list[str], cwd: Path, timeout: float = 1800) -> CommandRun:
    """One command of the installed test-auditor: it works when it exits 0 or 1 (findings),
    not 2 (an error) and not on a traceback."""
    environ = dict(os.environ)
    environ.pop("VIRTUAL_ENV", None)
    environ.pop("PYTHONPATH", None)
    start = time.perf_counter()
    try:
        done = subprocess.run(
            command,
            cwd=cwd,
            env=environ,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return CommandRun(name, command, -1, timeout, False, "timed out")
    seconds = time.perf_counter() - start
    output = done.stdout + done.stderr
    works = done.returncode in (0, 1) and "Traceback" not in output
    detail = "" if works else output.strip()[-3000:]
    return CommandRun(name, command, done.returncode, seconds, works, detail)


def scan_json(tool: Path, root: Path, suite: Suite, *extra: str) -> CommandRun:
    return run(
        "scan",
        [auditor(tool), "scan", suite.test_dir, "--format", "json", "--no-cache", *extra],
        root,
    )


def measure(tool: Path, cache_dir: Path, limit: int) -> dict[str, dict[str, float]]:
    figures: dict[str, dict[str, float]] = {}
    out = cache_dir / "fidelity"
    for suite in FIDELITY_SUITES:
        root = fetch(suite, cache_dir)
        venv = venv_for(suite, cache_dir)
        dump = ground_truth(suite, root, venv, out / f"{suite.name}.dump.json")
        print(f"== {suite.name} {suite.version}: pytest {dump.get('pytest_version')}")
        link = root / ".venv"
        for mode in ("--python", ".venv"):
            report_path = out / f"{suite.name}.{mode.strip('-.')}.scan.json"
            if link.is_symlink() or link.exists():
                link.unlink()
            if mode == "--python":
                extra = ["--python", str(venv_python(venv)), "-o", str(report_path)]
            else:
                link.symlink_to(venv, target_is_directory=True)
                extra = ["-o", str(report_path)]
            try:
                result = scan_json(tool, root, suite, *extra)
            finally:
                if link.is_symlink():
                    link.unlink()
            if not result.works:
                print(f"  scan ({mode}) failed: exit {result.returncode}\n{result.detail}")
                continue
            report = json.loads(report_path.read_text(encoding="utf-8"))
            # what pytest runs: the suite's own addopts deselections are not its tests;
            # those deselected on the command line here (network) are, to the scan
            on_command_line = bool(suite.deselect_args)
            comparison = compare(dump, report, include_deselected=on_command_line)
            environment = report.get("environment", {})
            print(
                f"  [{mode}] plugins read from {environment.get('python')} "
                f"({environment.get('found_by')}); {report['summary'].get('deselected', 0)} "
                f"deselected by addopts"
            )
            print("    " + format_comparison(comparison, limit=limit).replace("\n", "\n    "))
            figures[f"{suite.name} {mode}"] = {
                "node_ids": comparison.jaccard,
                "closures": comparison.closure_agreement,
            }
    return figures


def leak_suite(folder: Path) -> Path:
    for name, text in LEAK_SUITE.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def commands(tool: Path, cache_dir: Path) -> list[CommandRun]:
    packaging, httpx = FIDELITY_SUITES
    packaging_root, httpx_root = fetch(packaging, cache_dir), fetch(httpx, cache_dir)
    packaging_python = str(venv_python(venv_for(packaging, cache_dir)))
    httpx_python = str(venv_python(venv_for(httpx, cache_dir)))
    runs = [
        run(
            "scan (packaging, pytest 7.4)",
            [auditor(tool), "scan", "--python", packaging_python, "--no-cache"],
            packaging_root,
        ),
        run(
            "check (packaging, pytest 7.4)",
            [auditor(tool), "check", "--python", packaging_python, "--no-cache"],
            packaging_root,
        ),
    ]
    run_report = cache_dir / "fidelity" / "httpx.scan-run.json"
    scan_run = run(
        "scan --run (httpx, pytest 7.4)",
        [
            auditor(tool),
            "scan",
            "tests",
            "--run",
            "--python",
            httpx_python,
            "--format",
            "json",
            "-o",
            str(run_report),
            "--",
            "-m",
            "not network",
        ],
        httpx_root,
    )
    if scan_run.works:
        report = json.loads(run_report.read_text(encoding="utf-8"))
        observed = report.get("run", {}).get("tests", 0)
        if not observed:
            scan_run = CommandRun(
                scan_run.name, scan_run.command, scan_run.returncode, scan_run.seconds, False,
                "the run observed no test",
            )  # fmt: skip
        else:
            outcomes = report["run"].get("outcomes")
            scan_run = CommandRun(
                scan_run.name, scan_run.command, scan_run.returncode, scan_run.seconds, True,
                f"{observed} tests observed; outcomes {outcomes}",
            )  # fmt: skip
    runs.append(scan_run)
    with tempfile.TemporaryDirectory(prefix="fidelity-leaks-") as folder:
        suite = leak_suite(Path(folder))
        leaks_report = cache_dir / "fidelity" / "leaks.json"
        leaks = run(
            "leaks (3-test suite, packaging's pytest 7.4)",
            [
                auditor(tool),
                "leaks",
                "--python",
                packaging_python,
                "--seed",
                "1",
                "--budget",
                "600",
                "--format",
                "json",
                "-o",
                str(leaks_report),
            ],
            suite,
            timeout=600,
        )
        if leaks.works:
            report = json.loads(leaks_report.read_text(encoding="utf-8"))
            victims = [v["nodeid"] for v in report.get("victims", [])]
            found = victims == ["test_pair.py::test_victim"]
            leaks = CommandRun(
                leaks.name, leaks.command, leaks.returncode, leaks.seconds, found,
                f"victims {victims}, {report.get('test_executions')} executions",
            )  # fmt: skip
        runs.append(leaks)
    return runs


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    cache_dir: Path = args.cache_dir
    print("building the wheel and test-auditor's own virtualenv ...", flush=True)
    tool = tool_venv(cache_dir)
    figures = measure(tool, cache_dir, args.limit)
    print("\n== acceptance 3 (test-auditor in its own virtualenv)")
    ok = True
    for key, values in figures.items():
        name = key.split()[0]
        what, target = TARGETS[name]
        value = values["node_ids" if what == "node ids" else "closures"]
        passed = value >= target
        ok = ok and passed
        print(
            f"  {key}: node ids {values['node_ids']:.4f}, closures {values['closures']:.4f} "
            f"({what} >= {target}: {'yes' if passed else 'NO'})"
        )
    if not args.skip_commands:
        print("\n== commands on pytest 7.4, from test-auditor's own virtualenv")
        for result in commands(tool, cache_dir):
            ok = ok and result.works
            state = "works" if result.works else "FAILS"
            print(f"  {result.name}: {state} (exit {result.returncode}, {result.seconds:.1f}s)")
            if result.detail:
                print("    " + result.detail.replace("\n", "\n    "))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
