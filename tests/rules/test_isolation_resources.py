"""More decoys for TA308 unreleased-resource and TA309 write-outside-tmp than the
rules' own examples carry: in-memory SQLite URLs in their spellings, server URLs,
absolute and temporary SQLite files."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.api import Invalid, Valid
from tests.rules.cases import check

MEMORY_URLS = [
    "sqlite://",
    "sqlite:///",
    "sqlite:///:memory:",
    "sqlite+pysqlite:///:memory:",
    "sqlite:///?check_same_thread=false",
    "sqlite:///file:mem?mode=memory&cache=shared&uri=true",
]


def fixture_module(url: str) -> str:
    return (
        "import pytest\nfrom sqlalchemy import create_engine\n\n"
        f"@pytest.fixture\ndef connection():\n    engine = create_engine({url!r})\n"
        "    return engine.connect()\n\n"
        f"def test_a(connection):\n    engine = create_engine({url!r})\n"
        "    with engine.connect() as conn:\n        assert conn and connection\n"
    )


@pytest.mark.parametrize("url", MEMORY_URLS)
def test_in_memory_sqlite_is_no_resource_and_no_file(url: str, tmp_path: Path) -> None:
    check("TA308", Valid(fixture_module(url)), tmp_path / "a")
    check("TA309", Valid(fixture_module(url)), tmp_path / "b")


@pytest.mark.parametrize("url", ["postgresql://localhost/app", "sqlite:////var/db/app.db"])
def test_server_and_absolute_urls_leak_but_write_nothing_here(url: str, tmp_path: Path) -> None:
    leak = Invalid(fixture_module(url), at=("test_example.py:7:12", "test_example.py:10:14"))
    check("TA308", leak, tmp_path / "a")
    check("TA309", Valid(fixture_module(url)), tmp_path / "b")


def test_relative_sqlite_file_is_both(tmp_path: Path) -> None:
    code = fixture_module("sqlite:///app.db")
    check("TA308", Invalid(code, at=("test_example.py:7:12", "test_example.py:10:14")), tmp_path)
    where = ("test_example.py:6:14", "test_example.py:10:14")
    check("TA309", Invalid(code, at=where, message="sqlite:///app.db"), tmp_path / "b")
