"""Tests for the ground-truth pytest plugin, run against small suites with pytester."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

# Declared here and not in a conftest: pytest refuses ``pytest_plugins`` in a
# conftest that is not loaded at start-up (tests/groundtruth/conftest.py is not
# when pytest runs from the repository root with testpaths = ["tests"]).
pytest_plugins = ["pytester"]

PLUGIN_DIR = Path(__file__).resolve().parent
PYTEST_MAJOR = int(pytest.__version__.split(".")[0])
DUMP_NAME = "gt.json"


def run_dump(pytester: pytest.Pytester, *args: str) -> tuple[pytest.RunResult, Any]:
    """Run pytest with the plugin on the pytester project and load its dump."""
    pytester.syspathinsert(PLUGIN_DIR)
    dump_path = pytester.path / DUMP_NAME
    plugin_args = ("-p", "pytest_groundtruth", f"--gt-dump={dump_path}")
    result = pytester.runpytest(*plugin_args, "-p", "no:cacheprovider", *args)
    return result, json.loads(dump_path.read_text(encoding="utf-8"))


def items_by_id(dump: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["nodeid"]: item for item in dump["items"]}


def test_inert_without_option(pytester: pytest.Pytester) -> None:
    pytester.syspathinsert(PLUGIN_DIR)
    pytester.makepyfile(test_a="def test_one():\n    pass\n")
    result = pytester.runpytest("-p", "pytest_groundtruth", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert list(pytester.path.glob("*.json")) == []


def test_option_is_listed_in_help(pytester: pytest.Pytester) -> None:
    pytester.syspathinsert(PLUGIN_DIR)
    result = pytester.runpytest("-p", "pytest_groundtruth", "--help")
    result.stdout.fnmatch_lines(["*--gt-dump=PATH*"])


def test_header_fields(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_a="def test_one():\n    pass\n")
    result, dump = run_dump(pytester, "--collect-only", "-q")
    assert result.ret == pytest.ExitCode.OK
    assert dump["pytest_version"] == pytest.__version__
    assert dump["rootdir"] == pytester.path.as_posix()
    assert dump["collect_errors"] == []
    assert "outcomes" not in dump
    assert items_by_id(dump)["test_a.py::test_one"]["base"] == "test_a.py::test_one"


def test_direct_and_indirect_params(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_p="""
        import pytest

        @pytest.fixture
        def user(request):
            return request.param

        @pytest.mark.parametrize("user", ["ann"], indirect=True)
        @pytest.mark.parametrize("n, m", [(1, 2), (3, 4)])
        def test_it(user, n, m, tmp_path):
            pass
        """
    )
    _, dump = run_dump(pytester, "--collect-only", "-q")
    items = items_by_id(dump)
    assert set(items) == {"test_p.py::test_it[1-2-ann]", "test_p.py::test_it[3-4-ann]"}
    item = items["test_p.py::test_it[1-2-ann]"]
    assert item["base"] == "test_p.py::test_it"
    assert item["direct_params"] == ["m", "n"]
    assert "user" in item["fixtures"]
    assert "request" in item["fixtures"]
    assert "tmp_path" in item["fixtures"]
    assert not {"n", "m"} & set(item["fixtures"])
    assert item["scopes"]["user"] == "function"
    # pytest locates a decorated function at its first decorator line.
    assert item["defs"]["user"] == "test_p.py:3"
    assert "request" not in item["scopes"]


def test_fixture_from_outside_rootdir_has_absolute_location(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_t="def test_tmp(tmp_path):\n    pass\n")
    _, dump = run_dump(pytester, "--collect-only", "-q")
    location = items_by_id(dump)["test_t.py::test_tmp"]["defs"]["tmp_path"]
    assert Path(location.rsplit(":", 1)[0]).is_absolute()
    assert "_pytest" in location


def test_brackets_inside_param_ids(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_b="""
        import pytest

        @pytest.mark.parametrize("x", [1], ids=["a[0]::b"])
        def test_it(x):
            pass
        """
    )
    _, dump = run_dump(pytester, "--collect-only", "-q")
    [item] = dump["items"]
    assert item["nodeid"] == "test_b.py::test_it[a[0]::b]"
    assert item["base"] == "test_b.py::test_it"


def test_class_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_c="""
        import pytest

        @pytest.fixture
        def thing():
            return 1

        class TestBox:
            @pytest.fixture(scope="class")
            def thing(self):
                return 2

            def test_in_class(self, thing):
                pass

        def test_outside(thing):
            pass
        """
    )
    _, dump = run_dump(pytester, "--collect-only", "-q")
    items = items_by_id(dump)
    inside = items["test_c.py::TestBox::test_in_class"]
    outside = items["test_c.py::test_outside"]
    assert inside["scopes"]["thing"] == "class"
    assert inside["defs"]["thing"] == "test_c.py:8"
    assert outside["scopes"]["thing"] == "function"
    assert outside["defs"]["thing"] == "test_c.py:3"


def test_override_chain_across_conftest_and_module(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture(scope="session")
        def engine():
            return "engine"

        @pytest.fixture(scope="session")
        def db(engine):
            return "session-db"
        """
    )
    pytester.makepyfile(
        test_db="""
        import pytest

        @pytest.fixture
        def db(db):
            return db + "-wrapped"

        def test_uses_db(db):
            pass
        """
    )
    _, dump = run_dump(pytester, "--collect-only", "-q")
    item = items_by_id(dump)["test_db.py::test_uses_db"]
    assert item["defs"]["db"] == "test_db.py:3"
    if PYTEST_MAJOR < 9:
        # pytest 8 builds the closure from the closest definition's arguments
        # only: what the overridden ``db`` requests is set up, but not listed.
        assert item["fixtures"] == ["db"]
        return
    assert item["fixtures"] == ["db", "engine"]
    assert item["scopes"] == {"db": "function", "engine": "session"}
    assert item["defs"]["engine"] == "conftest.py:3"


def test_scope_mismatch_recorded_in_outcomes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_s="""
        import pytest

        @pytest.fixture
        def per_test():
            return 1

        @pytest.fixture(scope="module")
        def shared(per_test):
            return per_test

        def test_bad(shared):
            pass

        def test_good(per_test):
            pass
        """
    )
    result, dump = run_dump(pytester)
    result.assert_outcomes(passed=1, errors=1)
    outcomes = {(o["nodeid"], o["when"]): o for o in dump["outcomes"]}
    bad_setup = outcomes[("test_s.py::test_bad", "setup")]
    assert bad_setup["outcome"] == "failed"
    assert bad_setup["scope_mismatch"].startswith(
        "ScopeMismatch: You tried to access the function scoped fixture per_test"
    )
    assert outcomes[("test_s.py::test_good", "call")]["outcome"] == "passed"
    assert outcomes[("test_s.py::test_good", "call")]["scope_mismatch"] is None


def test_collection_errors_still_dumped(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_ok="def test_fine():\n    pass\n",
        test_broken="def test_x(:\n    pass\n",
        test_missing="import no_such_module_here\n\ndef test_y():\n    pass\n",
    )
    result, dump = run_dump(pytester, "--collect-only", "-q")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    errors = {e["nodeid"]: e for e in dump["collect_errors"]}
    assert set(errors) == {"test_broken.py", "test_missing.py"}
    missing = errors["test_missing.py"]
    assert missing["message"].startswith("ImportError while importing test module")
    assert missing["exception"] == ("ModuleNotFoundError: No module named 'no_such_module_here'")
    assert errors["test_broken.py"]["exception"] == "SyntaxError: invalid syntax"
    assert list(items_by_id(dump)) == ["test_ok.py::test_fine"]


def test_continue_on_collection_errors_run(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_ok="def test_fine():\n    pass\n",
        test_broken="def test_x(:\n    pass\n",
    )
    result, dump = run_dump(pytester, "--continue-on-collection-errors")
    result.assert_outcomes(passed=1, errors=1)
    assert [e["nodeid"] for e in dump["collect_errors"]] == ["test_broken.py"]
    assert {o["nodeid"] for o in dump["outcomes"]} == {"test_ok.py::test_fine"}


def test_deselected_items_are_kept_apart(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_m="""
        import pytest

        @pytest.mark.network
        def test_online():
            pass

        def test_offline():
            pass
        """
    )
    _, dump = run_dump(pytester, "--collect-only", "-q", "-m", "not network")
    assert [item["nodeid"] for item in dump["items"]] == ["test_m.py::test_offline"]
    assert [item["nodeid"] for item in dump["deselected"]] == ["test_m.py::test_online"]


def test_unittest_items_and_autouse(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture(autouse=True)
        def always():
            yield
        """
    )
    pytester.makepyfile(
        test_u="""
        import unittest

        class TestCaseStyle(unittest.TestCase):
            def test_method(self):
                pass
        """
    )
    _, dump = run_dump(pytester, "--collect-only", "-q")
    item = items_by_id(dump)["test_u.py::TestCaseStyle::test_method"]
    assert item["kind"] == "TestCaseFunction"
    assert "always" in item["fixtures"]


def test_conftest_below_rootdir(pytester: pytest.Pytester) -> None:
    """pytest keeps plugins in sets for such hook calls: the recorder is hashable."""
    for name in ("alpha", "beta"):
        folder = pytester.mkdir(name)
        (folder / "conftest.py").write_text(
            f"import pytest\n\n@pytest.fixture\ndef where():\n    return {name!r}\n",
            encoding="utf-8",
        )
        (folder / f"test_{name}.py").write_text(
            "def test_where(where):\n    pass\n", encoding="utf-8"
        )
    result, dump = run_dump(pytester, "--collect-only", "-q")
    assert result.ret == pytest.ExitCode.OK
    items = items_by_id(dump)
    alpha = items["alpha/test_alpha.py::test_where"]
    beta = items["beta/test_beta.py::test_where"]
    assert alpha["defs"]["where"] == "alpha/conftest.py:3"
    assert beta["defs"]["where"] == "beta/conftest.py:3"


def test_items_dropped_or_made_up_by_plugins(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest

        def pytest_collection_modifyitems(items):
            first = items[0]
            clone = pytest.Function.from_parent(
                first.parent, name="test_keep_again", callobj=first.obj
            )
            items[:] = [item for item in items if "drop" not in item.name] + [clone]
        """
    )
    pytester.makepyfile(test_x="def test_keep():\n    pass\n\ndef test_drop():\n    pass\n")
    _, dump = run_dump(pytester, "--collect-only", "-q")
    assert [item["nodeid"] for item in dump["removed"]] == ["test_x.py::test_drop"]
    assert dump["added"] == ["test_x.py::test_keep_again"]
    assert dump["deselected"] == []
