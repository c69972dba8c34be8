"""Fixtures shared by the unit tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """A copy of the shop sample to edit (the cache tests change its files)."""
    root = tmp_path / "shop"
    shutil.copytree(SAMPLES / "shop", root)
    return root
