"""What clone detection reports: a group of clones, its members, and the settings that
decide what counts as a clone (see `auditor.analysis.duplicates`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Member:
    """One def of a group (for a file group, the file: line 1, its basename)."""

    path: str
    line: int
    name: str
    nodeid: str
    """The test's node id ("" for fixtures and files)."""
    col: int = 0
    """The column of the `def` (0-based; 0 for a file)."""


@dataclass(frozen=True, slots=True)
class DuplicateGroup:
    kind: str
    """"test", "fixture" or "file"."""
    clone: str
    """"exact", "parametrize", "renamed", "near" or "file"."""
    members: tuple[Member, ...]
    """Sorted by path and line."""
    similarity: float
    """1.0 for exact, parametrize and renamed; the lowest Jaccard similarity between two
    members for near; for files, the share of one file's tests cloned in the other."""
    suggestion: str
    differs: tuple[str, ...] = ()
    """Names the members' code spells alike but that resolve to other things in some of
    them (fixtures as ``fixture:<name>``): the same steps over other fixtures, model
    classes or functions are not copies to delete, at most tests to parametrize."""


@dataclass(frozen=True, slots=True)
class DuplicateSettings:
    near_similarity: float = 0.7
    """Jaccard similarity of shingle sets from which two tests are near clones. A
    statement added costs its own shingles and the ``K - 1`` that straddle it, so one
    added to a five-statement test leaves about 0.75 (0.85 missed such pairs)."""
    min_tokens: int = 40
    """Renamed and near clones need this many normalised tokens: below it, two one-line
    asserts on different values are "renamed clones" of each other, which is noise."""
    loose_min_tokens: int = 50
    """Renamed clones that also differ in the names of what they call or read (other
    functions, classes, attributes, keyword arguments; `Shape.loose`) need this many
    tokens: with every name free, short tests of one common form are all alike."""
    file_share: float = 0.5
    """Share of a file's tests cloned in another file from which the pair is reported..."""
    file_min_tests: int = 2
    """...when that is this many tests at least."""


STRENGTH = {"exact": 0, "parametrize": 1, "renamed": 2, "near": 3, "file": 4}
