"""Test file auditor and organizer (from the 'consolidate 227 test files' plan).

A helper script living next to the tests; it defines no tests. Both classes
start with ``Test`` and have an ``__init__``, so pytest skips them with a
warning.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

TEST_DEF = re.compile(r"^\s*def (test_\w+)", re.MULTILINE)


@dataclass
class TestFileInfo:
    path: Path
    category: str  # unit, integration, performance, fixtures
    functionality: str  # database, api, services, auth
    dependencies: set = field(default_factory=set)
    test_count: int = 0
    is_duplicate: bool = False


class TestFileOrganizer:
    """Organizes and consolidates test files."""

    def __init__(self, test_root):
        self.test_root = Path(test_root)
        self.file_info = {}

    def audit_test_files(self):
        categorized = {"unit": [], "integration": [], "performance": [], "fixtures": []}
        for path in sorted(self.test_root.rglob("test_*.py")):
            info = self._analyze_test_file(path)
            self.file_info[str(path)] = info
            categorized.setdefault(info.category, []).append(info)
        return categorized

    def _analyze_test_file(self, path):
        content = path.read_text(encoding="utf-8")
        dependencies = set(re.findall(r"^from (shopapp\.\w+)", content, re.MULTILINE))
        return TestFileInfo(
            path=path,
            category=self._categorize(path, content),
            functionality=path.parent.name,
            dependencies=dependencies,
            test_count=len(TEST_DEF.findall(content)),
        )

    def _categorize(self, path, content):
        if "fixture" in path.name or path.name == "conftest.py":
            return "fixtures"
        if "perf_counter" in content or "performance" in path.parts:
            return "performance"
        if "db_session" in content or "client" in content:
            return "integration"
        return "unit"
