"""Unit tests for comparing a pytest ground-truth dump with a scan report."""

from __future__ import annotations

from typing import Any

import pytest

from tests.groundtruth.compare import (
    Comparison,
    FixtureDisagreement,
    compare,
    format_comparison,
    rebase_prefix,
)

ROOT = "/src/project"


def item(nodeid: str, fixtures: list[str], base: str | None = None) -> dict[str, Any]:
    return {"nodeid": nodeid, "base": base or nodeid, "fixtures": fixtures}


def static(nodeid: str, fixtures: list[str]) -> dict[str, Any]:
    return {
        "nodeid": nodeid,
        "path": nodeid.split("::")[0],
        "line": 1,
        "fixtures": fixtures,
    }


def make_dump(items: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"pytest_version": "9.2.0", "rootdir": ROOT, "items": items, **extra}


def make_report(tests: list[dict[str, Any]], rootdir: str = ROOT) -> dict[str, Any]:
    return {"version": 1, "rootdir": rootdir, "tests": tests}


def test_identical_views_agree_fully() -> None:
    dump = make_dump([item("t.py::test_a", ["db"]), item("t.py::test_b", [])])
    report = make_report([static("t.py::test_a", ["db"]), static("t.py::test_b", [])])
    result = compare(dump, report)
    assert result.jaccard == 1.0
    assert result.closure_agreement == 1.0
    assert result.common_ids == 2
    assert result.disagreements == ()
    assert (result.only_pytest, result.only_static) == ((), ())


def test_parametrized_items_fold_into_one_base_id() -> None:
    dump = make_dump(
        [
            item("t.py::test_p[1]", ["db"], base="t.py::test_p"),
            item("t.py::test_p[2]", ["db"], base="t.py::test_p"),
        ]
    )
    result = compare(dump, make_report([static("t.py::test_p", ["db"])]))
    assert result.pytest_items == 2
    assert result.pytest_ids == 1
    assert result.jaccard == 1.0
    assert result.inconsistent_params == ()


def test_parametrized_items_with_different_closures_use_the_union() -> None:
    dump = make_dump(
        [
            item("t.py::test_p[1]", ["db"], base="t.py::test_p"),
            item("t.py::test_p[2]", ["db", "cache"], base="t.py::test_p"),
        ]
    )
    result = compare(dump, make_report([static("t.py::test_p", ["cache", "db"])]))
    assert result.closure_agreement == 1.0
    assert result.inconsistent_params == ("t.py::test_p",)


def test_id_sets_and_jaccard() -> None:
    dump = make_dump([item("t.py::test_a", []), item("t.py::test_only_pytest", [])])
    report = make_report([static("t.py::test_a", []), static("t.py::test_static", [])])
    result = compare(dump, report)
    assert result.jaccard == pytest.approx(1 / 3)
    assert result.only_pytest == ("t.py::test_only_pytest",)
    assert result.only_static == ("t.py::test_static",)


def test_fixture_disagreement_records_missing_and_extra() -> None:
    dump = make_dump([item("t.py::test_a", ["db", "engine"]), item("t.py::test_b", [])])
    report = make_report([static("t.py::test_a", ["db", "tmp_path"]), static("t.py::test_b", [])])
    result = compare(dump, report)
    assert result.closure_agreement == 0.5
    assert result.disagreements == (
        FixtureDisagreement(nodeid="t.py::test_a", missing=("engine",), extra=("tmp_path",)),
    )


def test_collection_error_modules_are_excluded_on_both_sides() -> None:
    dump = make_dump(
        [item("ok.py::test_a", []), item("pkg/broken.py::TestX::test_half", [])],
        collect_errors=[
            {"nodeid": "bad.py", "message": "ImportError"},
            {"nodeid": "pkg/broken.py::TestX", "message": "boom"},
        ],
    )
    report = make_report(
        [
            static("ok.py::test_a", []),
            static("bad.py::test_b", []),
            static("bad.py::TestY::test_c", []),
            static("pkg/broken.py::TestX::test_half", []),
            static("bad.pyx::test_not_excluded", []),
        ]
    )
    result = compare(dump, report)
    assert result.collect_errors == 2
    assert result.excluded_pytest_items == 1
    assert result.excluded_static_tests == 3
    assert result.only_static == ("bad.pyx::test_not_excluded",)


def test_directory_collection_error_excludes_its_subtree() -> None:
    dump = make_dump([], collect_errors=[{"nodeid": "tests/sub", "message": "conftest"}])
    report = make_report([static("tests/sub/test_a.py::test_x", [])])
    assert compare(dump, report).excluded_static_tests == 1


def test_deselected_items_count_unless_asked_not_to() -> None:
    dump = make_dump([item("t.py::test_a", [])], deselected=[item("t.py::test_network", [])])
    report = make_report([static("t.py::test_a", []), static("t.py::test_network", [])])
    assert compare(dump, report).jaccard == 1.0
    without = compare(dump, report, include_deselected=False)
    assert without.only_static == ("t.py::test_network",)


def test_non_python_items_are_ignored_and_counted() -> None:
    doctest_item = {**item("m.py::m.func", []), "kind": "DoctestItem"}
    unittest_item = {**item("t.py::TestCase::test_x", []), "kind": "TestCaseFunction"}
    dump = make_dump([doctest_item, unittest_item])
    result = compare(dump, make_report([static("t.py::TestCase::test_x", [])]))
    assert result.other_kind_items == 1
    assert result.jaccard == 1.0


def test_report_rootdir_below_dump_rootdir_is_rebased() -> None:
    dump = make_dump([item("tests/t.py::test_a", [])])
    report = make_report([static("t.py::test_a", [])], rootdir=f"{ROOT}/tests")
    assert compare(dump, report).jaccard == 1.0


@pytest.mark.parametrize(
    ("dump_root", "report_root", "expected"),
    [
        (ROOT, ROOT, ""),
        (ROOT, f"{ROOT}/a/b", "a/b/"),
        (ROOT, "/elsewhere", ""),
        (ROOT, "relative", ""),
        (None, ROOT, ""),
    ],
)
def test_rebase_prefix(dump_root: object, report_root: object, expected: str) -> None:
    assert rebase_prefix(dump_root, report_root) == expected


def test_empty_inputs_do_not_divide_by_zero() -> None:
    result = compare(make_dump([]), make_report([]))
    assert (result.jaccard, result.closure_agreement) == (1.0, 1.0)


def test_format_comparison_lists_and_truncates() -> None:
    dump = make_dump([item(f"t.py::test_{n}", ["db"]) for n in range(5)])
    report = make_report([static(f"t.py::test_{n}", []) for n in range(3)])
    text = format_comparison(compare(dump, report), limit=2)
    assert "Jaccard 0.6000" in text
    assert "closure agreement 0.00% (0/3)" in text
    assert "only in pytest (2):" in text
    assert "fixture closure disagreements (3):" in text
    assert "  t.py::test_0; missing db" in text
    assert "  ... and 1 more" in text
    assert "most often missing in scan (1):\n  db: 3" in text


def test_comparison_is_frozen() -> None:
    result = compare(make_dump([]), make_report([]))
    assert isinstance(result, Comparison)
    with pytest.raises(AttributeError):
        result.jaccard = 0.0  # type: ignore[misc]


def test_items_dropped_by_plugins_count_only_when_asked() -> None:
    dump = make_dump(
        [item("t.py::TestX_sqlite::test_a", [])],
        removed=[item("t.py::test_plain", []), item("t.py::TestX::test_a", [])],
        added=["t.py::TestX_sqlite::test_a"],
    )
    report = make_report([static("t.py::test_plain", []), static("t.py::TestX::test_a", [])])
    default = compare(dump, report)
    assert default.only_static == ("t.py::TestX::test_a", "t.py::test_plain")
    assert (default.plugin_removed, default.plugin_added) == (2, 1)
    widened = compare(dump, report, include_removed=True)
    assert widened.only_static == ()
    assert widened.only_pytest == ("t.py::TestX_sqlite::test_a",)
    assert "items plugins dropped 2, made up 1" in format_comparison(widened)
