"""`leaks merge`: shard reports read back and joined field by field, the errors that stop a
merge, and the pass that looks for pairs across shards (on a simulated suite)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main
from auditor.dynamic.probes import Change
from auditor.dynamic.runner.across_shards import add_to, plan_order, search
from auditor.dynamic.runner.endings import Crash
from auditor.dynamic.runner.merge import (
    Described,
    MergeError,
    merge,
    merge_files,
    parse_report,
    read_report,
)
from auditor.dynamic.runner.result import Brittle, Cleaner, Flaky, LeakReport, Pair, Round
from auditor.dynamic.runner.worktree import Restored
from auditor.dynamic.shards import assign
from auditor.report.leaks_report import leaks_dict, render_leaks_json
from tests.dynamic.world import World
from tests.e2e.helpers import leaks_schema_errors

ENV = Change("environ", "os.environ['MODE']", None, "'beta'")
CACHE = Change("globals", "app.cache", "{}#1", "{'a': 1}#2")


def shard_report(index: int, count: int = 2, seed: int = 5, **fields: Any) -> LeakReport:
    """A report as `leaks --shard index/count --seed seed` writes it."""
    rerun = f"test-auditor leaks tests --seed {seed} --rounds 2 --shard {index}/{count}"
    report = LeakReport(rootdir="/ci/app", seed=seed, rerun=rerun, shard=f"{index}/{count}")
    report.tests, report.executions, report.processes, report.seconds = 10, 31, 6, 4.0
    report.rounds = [Round("default order, with state probes", None, 10, (), 1.5)]
    report.runs = [("default order, with state probes", 10)]
    report.collection_errors = [("tests/test_broken.py", "SyntaxError")]
    report.notes = ["probe failed: redis"]
    for name, value in fields.items():
        setattr(report, name, value)
    return report


def write(tmp_path: Path, name: str, report: LeakReport | dict[str, Any]) -> Path:
    data = leaks_dict(report) if isinstance(report, LeakReport) else report
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def two_shards(tmp_path: Path) -> list[Path]:
    one = shard_report(
        1,
        pairs=[Pair("tests/a.py::t1", "tests/a.py::t2", (ENV,), "pytest tests/a.py", "state")],
        leaked={"tests/a.py::t1": (ENV,), "tests/a.py::t3": (CACHE,)},
        flaky=[Flaky("tests/a.py::t4", 2, 5)],
        cleaners=[Cleaner("tests/a.py::t5", "tests/a.py::t1", "tests/a.py::t2", (ENV,))],
        restored=[Restored("app.db", "created", True, "default order")],
    )
    two = shard_report(
        2,
        pairs=[Pair("tests/b.py::u1", "tests/b.py::u2", (), "pytest tests/b.py", "bisection")],
        brittle=[Brittle("tests/b.py::u3", ("tests/b.py::u1",), (CACHE,))],
        failing=["tests/b.py::u4"],
        crashed=[Crash("tests/b.py::u5", "killed by SIGSEGV", "reversed order")],
        not_run=["tests/b.py::u6"],
        notes=["probe failed: redis", "stopped early: budget"],
    )
    return [write(tmp_path, "shard-2.json", two), write(tmp_path, "shard-1.json", one)]


def test_shards_join_field_by_field(tmp_path):
    merged = merge_files(two_shards(tmp_path))
    report = merged.report
    assert [str(s) for s in merged.shards] == ["1/2", "2/2"]
    assert [(p.polluter, p.victim, p.found_by) for p in report.pairs] == [
        ("tests/a.py::t1", "tests/a.py::t2", "state"),
        ("tests/b.py::u1", "tests/b.py::u2", "bisection"),
    ]
    assert report.pairs[1].state_text() == ["state not seen by the probes"]
    assert report.leaked == {"tests/a.py::t1": (ENV,), "tests/a.py::t3": (CACHE,)}
    assert [b.setters for b in report.brittle] == [("tests/b.py::u1",)]
    assert report.flaky == [Flaky("tests/a.py::t4", 2, 5)]
    assert (report.failing, report.not_run) == (["tests/b.py::u4"], ["tests/b.py::u6"])
    assert report.crashed[0].run_label == "shard 2/2: reversed order"
    assert report.collection_errors == [("tests/test_broken.py", "SyntaxError")]  # once
    assert (report.tests, report.executions, report.processes) == (20, 62, 12)
    assert report.seconds == pytest.approx(8.0)
    assert [r.label for r in report.rounds] == [
        "shard 1/2: default order, with state probes",
        "shard 2/2: default order, with state probes",
    ]
    assert report.restored[0].run == "shard 1/2: default order"
    assert "probe failed: redis" in report.notes  # every shard said it
    assert "shard 2/2: stopped early: budget" in report.notes
    assert report.rerun == (
        'for I in $(seq 1 2); do test-auditor leaks tests --seed 5 --rounds 2 --shard "$I/2" '
        '--format json -o "shard-$I.json"; done'
    )


def test_the_merged_json_is_a_leaks_report_and_merges_again(tmp_path):
    merged = merge_files(two_shards(tmp_path))
    data = json.loads(render_leaks_json(merged.report, merged.extra_json()))
    assert leaks_schema_errors(data) == []
    assert (data["shard"], data["shards"]) == (None, ["1/2", "2/2"])
    assert {v["nodeid"] for v in data["victims"]} == {"tests/a.py::t2", "tests/b.py::u2"}
    assert data["pairs"][0]["state"] == [ENV.describe()]
    again = merge([parse_report(data, "merged.json")]).report
    assert [(p.polluter, p.victim, p.state_text()) for p in again.pairs] == [
        (p.polluter, p.victim, p.state_text()) for p in merged.report.pairs
    ]
    assert again.leaked == merged.report.leaked


def test_a_report_without_machine_readable_state_keeps_its_descriptions(tmp_path):
    data = leaks_dict(shard_report(1, count=1, leaked={"tests/a.py::t1": (ENV,)}))
    for entry in data["state_left_behind"]:
        del entry["changes"]
    (described,) = parse_report(data, "old.json").report.leaked["tests/a.py::t1"]
    assert isinstance(described, Described)
    assert described.describe() == ENV.describe()
    assert not described.undoes(described)


def test_the_same_report_given_twice_counts_once(tmp_path):
    paths = two_shards(tmp_path)
    copy = tmp_path / "copy.json"
    copy.write_text(paths[0].read_text(encoding="utf-8"), encoding="utf-8")
    assert merge_files([*paths, copy, paths[1]]).report.executions == 62


def test_executions_by_phase_and_unknown_numbers_add_up_the_rest_is_dropped_with_a_note():
    reports = []
    for index in (1, 2):
        data = leaks_dict(shard_report(index))
        data["executions_by_phase"] = {"default order": 10, "pairs": index}
        data["seconds_by_phase"] = {"default order": 1.5, "pairs": 0.25}
        data["mood"] = "fine"
        reports.append(parse_report(data, f"shard-{index}.json"))
    merged = merge(reports)
    assert merged.report.spent == {"default order": 20, "pairs": 3}
    assert merged.extra == {"seconds_by_phase": {"default order": 3, "pairs": 0.5}}
    assert "fields not merged (unknown to this test-auditor): mood" in merged.report.notes


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(seed=6), "seeds 5 and 6"),
        (lambda d: d.update(shard="2/3"), "split into 2 and 3 parts"),
        (lambda d: d.update(shard=None), "not the report of a shard"),
        (lambda d: d.update(version=2), "not a leaks report of version 1"),
        (lambda d: d.update(pairs=[{"polluter": "a", "victim": 3}]), r"pairs\[0\]\.victim"),
        (lambda d: d.update(flaky="none"), "flaky: expected a list"),
        (lambda d: d.update(rerun=d["rerun"] + " -- -m slow"), "pytest arguments differ"),
        (lambda d: d.update(rerun=d["rerun"].replace(" tests ", " src ")), "paths differ"),
    ],
)
def test_reports_that_are_not_shards_of_one_hunt_are_refused(tmp_path, change, message):
    first = leaks_dict(shard_report(1))
    second = leaks_dict(shard_report(2))
    change(second)
    paths = [write(tmp_path, "1.json", first), write(tmp_path, "2.json", second)]
    with pytest.raises(MergeError, match=message):
        merge_files(paths)


def test_a_shard_given_twice_with_different_findings_is_refused(tmp_path):
    paths = two_shards(tmp_path)
    other = write(tmp_path, "again.json", shard_report(1, failing=["tests/a.py::t9"]))
    with pytest.raises(MergeError, match="shard 1/2 is in two reports that differ"):
        merge_files([*paths, other])


def test_missing_shards_are_named_and_merged_only_when_allowed(tmp_path):
    paths = [write(tmp_path, f"{i}.json", shard_report(i, count=4)) for i in (1, 3)]
    with pytest.raises(MergeError, match="missing shards 2/4, 4/4 of 4"):
        merge_files(paths)
    merged = merge_files(paths, allow_missing=True)
    assert merged.missing == [2, 4]
    assert merged.report.notes[0] == "missing shards 2/4, 4/4: their tests are not in this report"


def test_unreadable_files_are_refused_with_their_name(tmp_path):
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json", encoding="utf-8")
    with pytest.raises(MergeError, match=r"garbage.json: not JSON"):
        read_report(garbage)
    with pytest.raises(MergeError, match=r"absent.json: cannot read it"):
        read_report(tmp_path / "absent.json")
    listing = write(tmp_path, "list.json", [])  # type: ignore[arg-type]
    with pytest.raises(MergeError, match="a JSON object is expected"):
        read_report(listing)


def test_the_command_writes_nothing_and_exits_2_on_a_bad_report(tmp_path, capsys):
    paths = two_shards(tmp_path)
    (tmp_path / "bad.json").write_text("[", encoding="utf-8")
    output = tmp_path / "merged.json"
    code = main(["leaks", "merge", *map(str, paths), str(tmp_path / "bad.json"), "-o", str(output)])
    assert code == 2
    assert "bad.json: not JSON" in capsys.readouterr().err
    assert not output.exists()
    assert main(["leaks", "merge", str(paths[0]), "-o", str(output)]) == 2
    assert "missing shard 1/2 of 2" in capsys.readouterr().err
    assert main(["leaks", "merge", *map(str, paths), "--format", "json", "-o", str(output)]) == 1
    assert leaks_schema_errors(json.loads(output.read_text(encoding="utf-8"))) == []


# -- the pass across shards, on a simulated suite ------------------------------------------

MODULES = [f"tests/test_{name}.py" for name in "abcdef"]
SUITE = [f"{module}::test_{i}" for module in MODULES for i in range(3)]


def owner_of(seed: int) -> dict[str, int]:
    return assign(dict.fromkeys(MODULES, 3), 2, seed)


def merged_shards(world: World, seed: int, **fields: Any) -> Any:
    """The merged reports of two shards of ``world`` (state each test leaves, as the
    shards' default orders saw it: what it writes)."""
    owner = owner_of(seed)
    reports = []
    for index in (1, 2):
        mine = [n for n in SUITE if owner[n.split("::")[0]] == index]
        leaked = {
            n: tuple(
                Change("globals", key, None, repr(value)) for key, value in world.writes[n].items()
            )
            for n in mine
            if n in world.writes
        }
        report = shard_report(index, seed=seed, leaked=leaked, **fields.get(str(index), {}))
        report.tests = len(mine)
        reports.append(parse_report(leaks_dict(report), f"shard-{index}.json"))
    return merge(reports)


def across_world(seed: int) -> tuple[World, str, str]:
    """A polluter in one shard and its victim in the other."""
    owner = owner_of(seed)
    first = next(n for n in SUITE if owner[n.split("::")[0]] == 1)
    second = next(n for n in SUITE if owner[n.split("::")[0]] == 2)
    world = World(
        list(SUITE),
        writes={second: {"app.MODE": "beta"}},
        reads={first: {"app.MODE": None}},
    )
    return world, second, first


def test_the_pass_runs_every_leaker_first_then_the_other_shards_tests():
    world, polluter, victim = across_world(seed=3)
    merged = merged_shards(world, seed=3)
    plan = plan_order(SUITE, merged)
    shard_of = plan.shard_of
    assert plan.order[0] == polluter
    assert set(plan.order[1:]) == {n for n in SUITE if shard_of[n] != shard_of[polluter]}
    assert victim in plan.order


def test_the_pass_finds_the_pair_a_shard_boundary_hid_and_adds_it():
    world, polluter, victim = across_world(seed=3)
    merged = merged_shards(world, seed=3)
    plan = plan_order(SUITE, merged)
    crossing = search(world, merged, plan, "/ci/app")
    add_to(merged.report, crossing)
    assert [(p.polluter, p.victim) for p in merged.report.pairs] == [(polluter, victim)]
    assert merged.report.executions == 2 * 31 + world.executions
    assert merged.report.rounds[-1].label.startswith("across shards")
    assert any(
        note.startswith("across shards: ") and victim in note for note in merged.report.notes
    )


def test_known_victims_and_flaky_tests_are_left_out_unless_they_leak():
    world, polluter, victim = across_world(seed=3)
    flaky = next(n for n in SUITE if n not in (polluter, victim))
    known = Pair(polluter, victim, (), "pytest", "state")
    merged = merged_shards(world, seed=3, **{"1": {"flaky": [Flaky(flaky, 1, 3)]}})
    merged.report.pairs.append(known)
    plan = plan_order(SUITE, merged)
    assert {victim, flaky} <= set(plan.left_out)
    assert polluter in plan.order  # a leaker always runs


def test_leakers_all_in_one_shard_with_nothing_else_to_fail_need_no_run():
    owner = owner_of(3)
    polluter = next(n for n in SUITE if owner[n.split("::")[0]] == 1)
    merged = merged_shards(World(list(SUITE), writes={polluter: {"x": "1"}}), seed=3)
    merged.count = 1  # one shard: nothing can cross
    merged.shards = merged.shards[:1]
    plan = plan_order([n for n in SUITE if owner[n.split("::")[0]] == 1], merged)
    assert plan.order == []
    nothing = merged_shards(World(list(SUITE)), seed=3)
    assert "no test left state behind" in " ".join(plan_order(SUITE, nothing).notes)


def test_a_test_failing_everywhere_in_its_shard_that_passes_after_another_shard_is_brittle():
    world, _, needy = across_world(seed=3)
    world.reads = {needy: {"app.MODE": "beta"}}  # needs the other shard's state to pass
    merged = merged_shards(world, seed=3, **{"1": {"failing": [needy]}})
    crossing = search(world, merged, plan_order(SUITE, merged), "/ci/app")
    add_to(merged.report, crossing)
    assert [b.nodeid for b in merged.report.brittle] == [needy]
    assert merged.report.failing == []
