"""One `Report` built from the analyses, many renderers (json, terminal)."""

from __future__ import annotations

from auditor.report.model import (
    AutouseReach,
    FixtureRow,
    HotSpot,
    Report,
    TestRow,
    build_report,
)

__all__ = ["AutouseReach", "FixtureRow", "HotSpot", "Report", "TestRow", "build_report"]
