"""Where a test module of one tier goes: ``[tool.test-auditor.migrate] layout``."""

from __future__ import annotations

from collections.abc import Sequence

from auditor.settings import MigrateSettings


def target_of(path: str, tier: str, settings: MigrateSettings, tiers: Sequence[str]) -> str | None:
    """The module's place in ``tier``'s folder (``path`` relative to the rootdir, with
    ``/``), or None when it is not below the layout's base (the part before ``{tier}``).

    ``{subpath}`` is the path below the base, less a leading tier folder, so a module
    already in some tier's folder goes to the same place in another's, and a module
    already in its own tier's folder stays where it is."""
    base = settings.layout.partition("{tier}")[0]
    if not path.startswith(base):
        return None
    parts = path[len(base) :].split("/")
    folders = {settings.folder(name) for name in tiers}
    if len(parts) > 1 and parts[0] in folders:
        parts = parts[1:]
    subpath = "/".join(parts)
    return settings.layout.replace("{tier}", settings.folder(tier)).replace("{subpath}", subpath)


def moved_nodeid(nodeid: str, moves: dict[str, str]) -> str:
    """``nodeid`` after the moves (old path -> new path); unchanged when its module stays."""
    path, separator, rest = nodeid.partition("::")
    return moves.get(path, path) + separator + rest
