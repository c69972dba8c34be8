"""regulations (unit)."""

import csv
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def test_parts():
    with open(os.path.join(HERE, "data", "regulations.csv"), newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["part"] for r in rows] == ["807", "820"]
