"""`scan` as a user runs it on a suite with an environment of its own (issue 14, point
5): the `.venv` in the rootdir is the suite's, its plugins' fixtures are read from there,
the tests its `addopts -m` deselects are not listed, and the report (terminal and JSON,
valid against the shipped schema) says both."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.helpers import run_process, schema_errors, write_suite

PLUGIN = "import pytest\n@pytest.fixture\ndef acme_backend():\n    return 'x'\n"
SUITE = {
    "pytest.ini": "[pytest]\naddopts = -ra -m 'not slow'\nmarkers =\n    slow\n",
    "tests/test_it.py": (
        "import pytest\n\n"
        "def test_uses_plugin(acme_backend):\n    pass\n\n"
        "@pytest.mark.slow\ndef test_slow():\n    pass\n"
    ),
    ".venv/pyvenv.cfg": "home = /nowhere/bin\nversion = 3.11.7\n",
    ".venv/bin/python": "",
    ".venv/lib/python3.11/site-packages/pytest_acme.py": PLUGIN,
    ".venv/lib/python3.11/site-packages/pytest_acme-1.0.dist-info/entry_points.txt": (
        "[pytest11]\nacme = pytest_acme\n"
    ),
}


def test_scan_reads_the_suites_venv_and_its_addopts(tmp_path: Path) -> None:
    root = write_suite(tmp_path / "project", SUITE)
    result = run_process(
        "scan", "--format", "json", "--no-cache", cwd=root, env={"VIRTUAL_ENV": ""}
    )
    assert result.code in (0, 1), result.err
    report = json.loads(result.out)
    assert schema_errors(report) == []
    assert [t["nodeid"] for t in report["tests"]] == ["tests/test_it.py::test_uses_plugin"]
    assert report["tests"][0]["fixtures"] == ["acme_backend"]
    assert report["deselected"] == [
        {"nodeid": "tests/test_it.py::test_slow", "path": "tests/test_it.py", "line": 7,
         "by": "-m 'not slow'"}
    ]  # fmt: skip
    assert report["environment"]["found_by"] == ".venv in the rootdir"
    assert not [f for f in report["findings"] if "acme_backend" in f["message"]]

    text = run_process("scan", "--no-cache", cwd=root, env={"VIRTUAL_ENV": ""})
    assert "1 test deselected by addopts -m 'not slow'" in text.out
    assert f"pytest and plugins read from {root / '.venv'}" in text.out.replace("\n", "")
