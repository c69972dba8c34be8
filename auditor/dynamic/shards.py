"""Splitting a suite into shards of whole modules, so a hunt can be spread over machines.

A leak round is one order run by one process: pollution only flows from a test to the tests
after it *in the same process*. pytest-xdist cannot spread a round over workers without
cutting it into unrelated orders, and one round of a big suite may not fit one machine's
time. So a suite is split instead: ``--shard 2/4 --seed 7`` hunts only the second of four
parts of the suite, every machine with the same seed gets a disjoint part, and the four
parts together are the whole suite. A shard is a set of whole modules (so module fixtures
and leaks between tests of one module stay inside it; the same unit xdist's ``loadfile``
keeps on one worker), chosen by a hash of the seed and the module's path and balanced by
the number of tests. Pollution between modules of different shards is not seen that night;
another seed mixes the modules differently: with a new seed each night, two modules share
a shard about one night in ``count``.

The split is made by the plugin from pytest's own collection (``--ta-shard``), in the whole
suite run only; the later runs order tests that run already came from, so they stay inside
the shard.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import pytest


@dataclass(frozen=True)
class Shard:
    """The ``index``-th (from 1) of ``count`` parts of the suite, split with ``seed``."""

    index: int
    count: int
    seed: int

    @classmethod
    def parse(cls, text: str, seed: int) -> Shard:
        """``2/4`` (the command line's form) with the hunt's seed."""
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
        if match is None:
            raise ValueError(f"--shard {text!r}: expected INDEX/COUNT, such as 2/4")
        index, count = int(match.group(1)), int(match.group(2))
        if not 1 <= index <= count:
            raise ValueError(f"--shard {text!r}: INDEX must be from 1 to COUNT")
        return cls(index, count, seed)

    @classmethod
    def from_option(cls, text: str) -> Shard:
        """The plugin option's form, ``INDEX/COUNT:SEED``."""
        part, _, seed = text.partition(":")
        return cls.parse(part, int(seed or 0))

    def option(self) -> str:
        return f"{self.index}/{self.count}:{self.seed}"

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def _key(seed: int, module: str) -> bytes:
    """A hash, not crc32: crc32 is affine, so with another seed every key changes by the
    same XOR and the modules' order barely moves; shards would hardly mix."""
    return hashlib.blake2b(f"{seed}::{module}".encode(), digest_size=8).digest()


def assign(sizes: Mapping[str, int], count: int, seed: int) -> dict[str, int]:
    """Module -> shard (1 to ``count``). Modules are taken in an order given by a hash of
    ``seed::module`` and each goes to the shard with the fewest tests so far (the lowest on
    a tie): the same on every machine, balanced, and different for each seed."""
    load = [0] * count
    owner: dict[str, int] = {}
    for module in sorted(sizes, key=lambda name: (_key(seed, name), name)):
        target = min(range(count), key=lambda shard: (load[shard], shard))
        owner[module] = target + 1
        load[target] += sizes[module]
    return owner


def _module(item: pytest.Item) -> str:
    return item.nodeid.split("::", 1)[0]


class ShardPlugin:
    """Keeps the modules of one shard and deselects the rest."""

    def __init__(self, shard: Shard) -> None:
        self.shard = shard

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(
        self, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        owner = assign(Counter(_module(item) for item in items), self.shard.count, self.shard.seed)
        kept = [item for item in items if owner[_module(item)] == self.shard.index]
        deselected = [item for item in items if owner[_module(item)] != self.shard.index]
        if deselected:
            config.hook.pytest_deselected(items=deselected)
        items[:] = kept


__all__ = ["Shard", "ShardPlugin", "assign"]
