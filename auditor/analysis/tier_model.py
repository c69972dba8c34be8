"""What a tier call is made of: the levels of evidence, one piece of evidence, a test's
tier with its evidence, and the tiers of the whole suite (see `auditor.analysis.tiers`)."""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath


class Level(enum.IntEnum):
    """How strong a piece of evidence is: the higher, the stronger."""

    NAME = 0
    FOLDER = 1
    MARK = 2
    REACH = 3
    RUN = 4
    """What a profiled run saw the test do (`scan --run`, :mod:`auditor.analysis.confirm`)."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """One reason for a tier: what was seen, where."""

    tier: str
    level: Level
    text: str
    path: str
    line: int
    signal: str
    subject: str = ""
    """The call, fixture or mark matched."""

    def __str__(self) -> str:
        return f"{self.text} ({self.path}:{self.line})" if self.line else self.text


@dataclass(frozen=True, slots=True)
class TestTier:
    """The tier of one test and why."""

    nodeid: str
    path: str
    tier: str
    evidence: tuple[Evidence, ...]
    """What decided the tier, strongest first; then other evidence seen."""
    mocked: tuple[str, ...] = ()
    """Reach evidence set aside because the family is mocked."""


@dataclass(frozen=True, slots=True)
class Tiers:
    """The tiers of every test of the suite, with the configured tier names."""

    names: tuple[str, ...]
    tests: dict[str, TestTier]

    def counts(self, tests: Iterable[TestTier] | None = None) -> dict[str, int]:
        counted = Counter(t.tier for t in (self.tests.values() if tests is None else tests))
        return {name: counted.get(name, 0) for name in self.names}

    def by_folder(self) -> dict[str, dict[str, int]]:
        folders: dict[str, list[TestTier]] = {}
        for test in self.tests.values():
            folders.setdefault(str(PurePosixPath(test.path).parent), []).append(test)
        return {folder: self.counts(tests) for folder, tests in sorted(folders.items())}

    def mixed_files(self) -> dict[str, dict[str, int]]:
        """Test files whose tests fall in more than one tier."""
        files: dict[str, list[TestTier]] = {}
        for test in self.tests.values():
            files.setdefault(test.path, []).append(test)
        mixed = {path: self.counts(tests) for path, tests in sorted(files.items())}
        return {p: c for p, c in mixed.items() if sum(1 for n in c.values() if n) > 1}
