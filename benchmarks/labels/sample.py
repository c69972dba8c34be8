"""Reproduce the hand-labelled sample of a suite's collected tests.

Usage:
    python sample.py NODEIDS_FILE SEED [COUNT]

NODEIDS_FILE is the output of ``python -m pytest --collect-only -q -p no:cacheprovider``
(one node id per line, as kept beside this script in ``<dist>-<version>.nodeids.txt``;
lines without ``::`` are ignored).  The ``[param]`` part of each node id is dropped
and duplicates removed (first occurrence kept, collection order).  Then
``random.Random(SEED).sample(ids, min(COUNT, len(ids)))`` draws the sample, which is
printed in collection order, one node id a line.

Seeds used (20261207 + i, i = index of the suite in the labelling brief):
    Flask-SQLAlchemy-3.1.1   20261207
    SQLAlchemy-Utils-0.41.2  20261208
    sqlmodel-0.0.22          20261209
COUNT defaults to 90.
"""

from __future__ import annotations

import random
import sys


def strip_params(nodeid: str) -> str:
    """Drop the ``[param]`` suffix of a node id (from the first ``[`` after the file path)."""
    start = nodeid.find("::")
    bracket = nodeid.find("[", start if start != -1 else 0)
    return nodeid if bracket == -1 else nodeid[:bracket]


def unique_ids(lines: list[str]) -> list[str]:
    seen: set[str] = set()
    ids: list[str] = []
    for line in lines:
        line = line.rstrip("\n")
        if "::" not in line:
            continue
        nodeid = strip_params(line)
        if nodeid not in seen:
            seen.add(nodeid)
            ids.append(nodeid)
    return ids


def draw(ids: list[str], seed: int, count: int = 90) -> list[str]:
    picked = set(random.Random(seed).sample(ids, min(count, len(ids))))
    return [nodeid for nodeid in ids if nodeid in picked]


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as handle:
        ids = unique_ids(handle.readlines())
    count = int(argv[2]) if len(argv) == 3 else 90
    for nodeid in draw(ids, int(argv[1]), count):
        print(nodeid)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
