"""Settings read once from the project's settings.toml."""

import functools
import tomllib
from pathlib import Path


@functools.lru_cache
def get_settings():
    path = Path(__file__).parents[1] / "settings.toml"
    with open(path, "rb") as handle:
        return tomllib.load(handle)
