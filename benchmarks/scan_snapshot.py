"""Write the JSON of ``test-auditor scan`` for many suites into a folder, or compare two folders.

Used to show that a change which must not change behaviour (a refactor, a cache) leaves
every report identical:

    python benchmarks/scan_snapshot.py write OUT SUITE...   # one OUT/<name>.json per suite
    python benchmarks/scan_snapshot.py compare A B           # exit 1 and the first differences

Each suite is scanned with ``--no-cache`` in a subprocess of the given interpreter
(``--python``, default this one), so the snapshot is what a user's command prints.
"""

from __future__ import annotations

import argparse
import difflib
import json
import subprocess
import sys
from pathlib import Path


def write(out: Path, suites: list[Path], python: str, extra: list[str]) -> int:
    out.mkdir(parents=True, exist_ok=True)
    failures = 0
    for suite in suites:
        name = "_".join(suite.resolve().parts[-2:])
        done = subprocess.run(
            [python, "-m", "auditor", "scan", str(suite), "--format", "json", "--no-cache", *extra],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode not in (0, 1):
            print(f"{suite}: exit {done.returncode}\n{done.stderr[-2000:]}", file=sys.stderr)
            failures += 1
            continue
        data = json.loads(done.stdout)
        (out / f"{name}.json").write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
        print(f"{name}: {data['summary']}")
    return 1 if failures else 0


def compare(a: Path, b: Path) -> int:
    different = 0
    for left in sorted(a.glob("*.json")):
        right = b / left.name
        if not right.exists():
            print(f"{left.name}: missing in {b}")
            different += 1
            continue
        old, new = left.read_text().splitlines(), right.read_text().splitlines()
        if old != new:
            different += 1
            diff = list(difflib.unified_diff(old, new, str(left), str(right), lineterm="", n=1))
            print("\n".join(diff[:40]))
        else:
            print(f"{left.name}: identical ({len(old)} lines)")
    return 1 if different else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("write")
    w.add_argument("out", type=Path)
    w.add_argument("suites", nargs="+", type=Path)
    w.add_argument("--python", default=sys.executable)
    w.add_argument("--scan-arg", action="append", default=[])
    c = sub.add_parser("compare")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    args = parser.parse_args()
    if args.command == "write":
        return write(args.out, args.suites, args.python, args.scan_arg)
    return compare(args.a, args.b)


if __name__ == "__main__":
    sys.exit(main())
