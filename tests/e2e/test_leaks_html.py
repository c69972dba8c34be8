"""`leaks --format html` through the command line: one page with the pair and its command."""

from __future__ import annotations

import json
import re

import pytest

from tests.e2e.helpers import run_process, write_suite

pytestmark = pytest.mark.slow

SUITE = """\
import os


def test_mode_is_standard():
    assert os.environ.get("APP_MODE_FOR_HTML", "standard") == "standard"


def test_enable_beta():
    os.environ["APP_MODE_FOR_HTML"] = "beta"
"""


def test_the_leaks_page_holds_the_pair_and_its_reproduce_command(tmp_path):
    root = write_suite(tmp_path / "suite", {"pytest.ini": "[pytest]\n", "test_mode.py": SUITE})
    page = tmp_path / "leaks.html"
    result = run_process(
        "leaks", "--seed", "1", "--format", "html", "--output", page, cwd=root, timeout=600
    )
    assert result.code == 1, result.err
    text = page.read_text(encoding="utf-8")
    assert text.lower().startswith("<!doctype html")
    assert "http://" not in text.split("<script", 1)[0]  # nothing fetched from elsewhere
    embedded = re.search(r'<script type="application/json" id="[^"]*">(.*?)</script>', text, re.S)
    assert embedded is not None
    data = json.loads(embedded.group(1))
    leaks = data.get("leaks", data)
    victims = {victim["nodeid"]: victim for victim in leaks["victims"]}
    victim = victims["test_mode.py::test_mode_is_standard"]
    assert victim["polluters"] == ["test_mode.py::test_enable_beta"]
    assert victim["reproduce"].startswith("pytest ")
