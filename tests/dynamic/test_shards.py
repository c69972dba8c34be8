"""Shards of whole modules (``leaks --shard I/N``), and pytest-xdist kept out of ordered runs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from auditor.dynamic.runner.driver import PytestDriver
from auditor.dynamic.shards import Shard, assign

SIZES = {f"tests/test_{name}.py": size for size, name in enumerate("abcdefghij", start=1)}


def test_every_module_gets_exactly_one_shard_the_same_way_for_the_same_seed():
    owner = assign(SIZES, 3, seed=7)
    assert set(owner) == set(SIZES)
    assert set(owner.values()) == {1, 2, 3}
    assert assign(dict(reversed(SIZES.items())), 3, seed=7) == owner


def test_shards_are_balanced_by_tests_and_the_seed_mixes_the_modules():
    load = [0, 0, 0]
    for module, shard in assign(SIZES, 3, seed=7).items():
        load[shard - 1] += SIZES[module]
    assert max(load) - min(load) <= max(SIZES.values())
    splits = {tuple(sorted(assign(SIZES, 3, seed=seed).items())) for seed in range(10)}
    assert len(splits) > 5


def test_more_shards_than_modules_leaves_some_empty():
    assert sorted(assign({"a.py": 3, "b.py": 1}, 4, seed=0).values()) == [1, 2]


@pytest.mark.parametrize(
    ("text", "message"),
    [("3", "INDEX/COUNT"), ("0/2", "from 1 to COUNT"), ("3/2", "from 1 to COUNT")],
)
def test_a_bad_shard_is_refused_with_the_expected_form(text, message):
    with pytest.raises(ValueError, match=message):
        Shard.parse(text, seed=1)


def test_the_plugin_option_round_trips():
    shard = Shard.parse(" 2 / 4 ", seed=9)
    assert Shard.from_option(shard.option()) == shard
    assert str(shard) == "2/4"


@pytest.fixture
def modules(tmp_path: Path) -> Path:
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    for name in "abcd":
        source = f"""
            import os

            def test_{name}_one():
                assert "PYTEST_XDIST_WORKER" not in os.environ

            def test_{name}_two():
                pass
            """
        (tmp_path / f"test_{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    return tmp_path


@pytest.mark.slow
def test_the_shards_of_a_seed_split_the_suite_into_disjoint_whole_modules(modules):
    seen: list[set[str]] = []
    for index in (1, 2):
        driver = PytestDriver(rootdir=modules, shard=Shard(index, 2, seed=3))
        run = driver.run(None, label=f"shard {index}")
        assert run.returncode == 0, run.output
        seen.append({record.nodeid for record in run.records})
    assert not seen[0] & seen[1]
    assert len(seen[0] | seen[1]) == 8
    owner = assign(dict.fromkeys(sorted(f"test_{name}.py" for name in "abcd"), 2), 2, seed=3)
    for index, nodeids in enumerate(seen, start=1):
        assert {nodeid.split("::")[0] for nodeid in nodeids} == {
            module for module, shard in owner.items() if shard == index
        }


@pytest.mark.slow
def test_a_suites_addopts_n_does_not_spread_an_order_over_xdist_workers(modules):
    pytest.importorskip("xdist")
    (modules / "pytest.ini").write_text("[pytest]\naddopts = -n 2\n", encoding="utf-8")
    order = ["test_d.py::test_d_one", "test_a.py::test_a_one", "test_d.py::test_d_two"]
    run = PytestDriver(rootdir=modules).run(order, label="ordered")
    assert [record.nodeid for record in run.records] == order
    assert [record.outcome for record in run.records] == ["passed"] * 3
