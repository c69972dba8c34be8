"""Reading the config files pytest and test-auditor share: TOML and ini documents.

Every failure to read one (a missing permission, bad TOML, a broken ini section) is a
`ConfigError` naming the file, reported in one line. `auditor.config` finds the files and
`auditor.settings` reads test-auditor's own table; both read through here.
"""

from __future__ import annotations

import configparser
import sys
from collections.abc import Mapping
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]


class ConfigError(ValueError):
    """A config file that cannot be read; reported in one line, exit code 2."""


def read_toml(path: Path) -> dict[str, object]:
    """The TOML document in `path`."""
    try:
        document: dict[str, object] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    return document


def read_ini(path: Path) -> configparser.ConfigParser:
    """The ini file in `path`, read without interpolation, as pytest reads it."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(path.read_text(encoding="utf-8"), source=str(path))
    except (configparser.Error, UnicodeDecodeError) as exc:
        first_line = str(exc).splitlines()[0]
        raise ConfigError(f"{path}: invalid ini file: {first_line}") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    return parser


def table_at(document: Mapping[str, object], *keys: str) -> dict[str, object] | None:
    """The table at `keys` (``"tool", "pytest"`` is ``[tool.pytest]``), or None when
    there is none or it is not a table."""
    node: object = document
    for key in keys:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node if isinstance(node, dict) else None
