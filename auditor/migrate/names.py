"""Module names and folders on both sides of a plan's moves and renames.

pytest's prepend import mode imports a test module under the dotted name below its package
root (the first folder upwards without an ``__init__.py``), which it puts on ``sys.path``.
A move changes that name (``tests/api/test_x.py`` -> ``tests/integration/api/test_x.py``:
``tests.api.test_x`` -> ``tests.integration.api.test_x`` when ``tests/`` is a package); a
rewrite of the modules that name it keeps them pointing at the same module object as long
as the package root is the same on both sides.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath

from auditor.migrate.hazards import package_root


@dataclass(frozen=True)
class Moves:
    """The tree at ``rootdir`` and what a plan does to its paths."""

    rootdir: Path
    moves: Mapping[str, str] = field(default_factory=dict)
    """Old path -> new path (moves and renames), relative with ``/``."""
    created: frozenset[str] = frozenset()
    """``__init__.py`` files the plan creates."""

    def new_path(self, path: str) -> str:
        return self.moves.get(path, path)

    def has_init_before(self, folder: PurePosixPath) -> bool:
        return (self.rootdir / folder / "__init__.py").is_file()

    def has_init_after(self, folder: PurePosixPath) -> bool:
        init = str(folder / "__init__.py")
        if init in self.created or init in self.moves.values():
            return True
        return init not in self.moves and self.has_init_before(folder)

    def exists_after(self, path: str) -> bool:
        if path in self.moves.values():
            return True
        return path not in self.moves and (self.rootdir / path).is_file()

    def root(self, path: str, *, after: bool) -> PurePosixPath:
        has_init = self.has_init_after if after else self.has_init_before
        return package_root(PurePosixPath(path).parent, has_init)

    def module_name(self, path: str, *, after: bool) -> str:
        """The name pytest imports ``path`` under (``path`` on that side of the plan)."""
        pure = PurePosixPath(path)
        parts = pure.with_suffix("").relative_to(self.root(path, after=after)).parts
        if parts and parts[-1] == "__init__":
            parts = parts[:-1]
        return ".".join(parts)

    @cached_property
    def key(self) -> tuple[object, ...]:
        """What the moves are, hashable (for caches)."""
        return (str(self.rootdir), tuple(sorted(self.moves.items())), self.created)

    @cached_property
    def renamed(self) -> dict[str, str]:
        """Old module name -> new module name of every moved module whose package root
        stays the same (so the new name resolves wherever the old one did)."""
        found = {}
        for old, new in self.moves.items():
            if not old.endswith(".py") or not new.endswith(".py"):
                continue
            if self.root(old, after=False) != self.root(new, after=True):
                continue
            before = self.module_name(old, after=False)
            after = self.module_name(new, after=True)
            if before != after:
                found[before] = after
        return found

    @cached_property
    def root_changes(self) -> dict[str, str]:
        """Old module name -> why it cannot be renamed (its package root changes)."""
        found = {}
        for old, new in self.moves.items():
            if old.endswith(".py") and self.root(old, after=False) != self.root(new, after=True):
                found[self.module_name(old, after=False)] = (
                    f"{old} is imported from {self.root(old, after=False)} before the change "
                    f"and from {self.root(new, after=True)} after it"
                )
        return found

    @cached_property
    def _paths_by_name(self) -> dict[str, str]:
        return {
            self.module_name(old, after=False): old for old in self.moves if old.endswith(".py")
        }

    def path_of(self, name: str) -> str | None:
        """The moved module (old path) that ``name`` is or is inside of."""
        for module, path in self._paths_by_name.items():
            if name == module or name.startswith(module + "."):
                return path
        return None

    def with_moves(self, moves: Mapping[str, str], created: Iterable[str]) -> Moves:
        return Moves(self.rootdir, dict(moves), frozenset(created))
