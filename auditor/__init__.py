"""test-auditor: audit and restructure pytest suites without importing them."""

from __future__ import annotations

__version__ = "0.1.0"
