"""A planted cache file cannot run code, and a broken one cannot break a command: `check`,
`scan` and `graph` give the same output and exit code as without a cache."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

from auditor.parse.cache import SummaryCache
from tests.e2e.helpers import RunCli, write_suite

SUITE = {
    "pytest.ini": "[pytest]\n",
    "conftest.py": "import pytest\n\n@pytest.fixture(scope='session')\ndef db(tmp_path):\n"
    "    return tmp_path\n",
    "test_a.py": "import os\n\ndef test_env(db):\n    os.environ['MODE'] = 'x'\n",
}


class Planted:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def test_planted_cache_files_are_misses(run_cli: RunCli, tmp_path: Path) -> None:
    suite = write_suite(tmp_path / "suite", SUITE)
    expected = {
        command: run_cli(command, "--no-cache", cwd=suite) for command in ("check", "graph")
    }
    assert expected["check"].code == 1  # the suite has findings on purpose
    marker = tmp_path / "ran"
    cache_file = SummaryCache(suite / ".test-auditor-cache", suite).file
    plants = {
        "code-executing pickle": pickle.dumps({"test_a.py": Planted(marker)}),
        "garbage": os.urandom(4096),
        "wrong shape": b'{"format": 7, "entries": {"test_a.py": "x"}}',
    }
    for kind, content in plants.items():
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        cache_file.write_bytes(content)
        for command, want in expected.items():
            got = run_cli(command, cwd=suite)
            assert (got.code, got.out) == (want.code, want.out), f"{kind}: {command}"
        assert not marker.exists(), f"{kind}: the cache ran code"
