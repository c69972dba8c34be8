"""Tests and fixture definitions collected from files, by pytest's collection rules,
on small suites written to disk."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import _pytest
import pytest

from auditor.config import load_config
from auditor.model.build import BuildOptions, build_suite
from auditor.model.imports import ModuleIndex
from auditor.model.registration import FixtureRegistrar
from auditor.model.suite import FixtureDef, Origin, Suite
from auditor.testing import write_tree
from auditor.types import Scope

if TYPE_CHECKING:
    from auditor.model.suite import TestItem  # not imported at run time: pytest would try it


def suite_of(tmp_path: Path, files: dict[str, str]) -> Suite:
    write_tree(tmp_path, files)
    config = load_config([tmp_path], invocation_dir=tmp_path)
    return build_suite(
        config, [tmp_path], invocation_dir=tmp_path, options=BuildOptions(use_cache=False)
    )


def by_nodeid(suite: Suite) -> dict[str, TestItem]:
    return {test.nodeid: test for test in suite.tests}


def local_fixtures(suite: Suite) -> dict[str, FixtureDef]:
    """The suite's own definitions (not pytest's or plugins'), by name."""
    return {d.name: d for d in suite.fixtures if d.origin not in (Origin.BUILTIN, Origin.PLUGIN)}


def test_module_functions_and_classes_by_the_default_patterns(tmp_path: Path) -> None:
    suite = suite_of(
        tmp_path,
        {
            "test_a.py": (
                "def test_one():\n    pass\n\n"
                "def helper():\n    pass\n\n"
                "def testing_prefix_counts():\n    pass\n\n"
                "class TestGroup:\n"
                "    def test_method(self):\n        pass\n\n"
                "    def helper(self):\n        pass\n\n"
                "class Helper:\n"
                "    def test_not_collected(self):\n        pass\n"
            )
        },
    )
    assert list(by_nodeid(suite)) == [
        "test_a.py::test_one",
        "test_a.py::testing_prefix_counts",
        "test_a.py::TestGroup::test_method",
    ]
    method = by_nodeid(suite)["test_a.py::TestGroup::test_method"]
    assert method.chain == ("", "test_a.py", "test_a.py::TestGroup")
    assert method.path == "test_a.py"
    assert method.line == 11
    assert method.argnames == ()  # self is not a fixture


def test_python_functions_and_classes_options_with_globs(tmp_path: Path) -> None:
    suite = suite_of(
        tmp_path,
        {
            "pytest.ini": "[pytest]\npython_functions = check_*\npython_classes = *Suite\n",
            "test_a.py": (
                "def check_one():\n    pass\n\n"
                "def test_two():\n    pass\n\n"
                "class MathSuite:\n    def check_m(self):\n        pass\n\n"
                "class TestOther:\n    def check_x(self):\n        pass\n"
            ),
        },
    )
    assert list(by_nodeid(suite)) == ["test_a.py::check_one", "test_a.py::MathSuite::check_m"]


def test_classes_pytest_skips(tmp_path: Path) -> None:
    suite = suite_of(
        tmp_path,
        {
            "test_a.py": (
                "import abc\n\n"
                "class TestInit:\n"
                "    def __init__(self):\n        pass\n\n"
                "    def test_a(self):\n        pass\n\n"
                "class TestNew:\n"
                "    def __new__(cls):\n        pass\n\n"
                "    def test_a(self):\n        pass\n\n"
                "class TestOff:\n"
                "    __test__ = False\n\n"
                "    def test_a(self):\n        pass\n\n"
                "class TestAbstract:\n"
                "    @abc.abstractmethod\n"
                "    def test_a(self):\n        pass\n\n"
                "class InitBase:\n"
                "    def __init__(self):\n        pass\n\n"
                "class TestInheritsInit(InitBase):\n"
                "    def test_a(self):\n        pass\n\n"
                "class TestKept:\n"
                "    def test_a(self):\n        pass\n"
            )
        },
    )
    assert list(by_nodeid(suite)) == ["test_a.py::TestKept::test_a"]


def test_module_level_test_false_hides_the_whole_module(tmp_path: Path) -> None:
    suite = suite_of(
        tmp_path,
        {
            "test_off.py": "__test__ = False\n\ndef test_hidden():\n    pass\n",
            "test_on.py": "def test_shown():\n    pass\n",
        },
    )
    assert list(by_nodeid(suite)) == ["test_on.py::test_shown"]


def test_nested_classes_and_inherited_methods(tmp_path: Path) -> None:
    suite = suite_of(
        tmp_path,
        {
            "test_a.py": (
                "class Base:\n"
                "    def test_inherited(self):\n        pass\n\n"
                "    def test_overridden(self):\n        pass\n\n"
                "class TestChild(Base):\n"
                "    def test_overridden(self):\n        pass\n\n"
                "class TestOuter:\n"
                "    class TestInner:\n"
                "        def test_deep(self):\n            pass\n"
            )
        },
    )
    tests = by_nodeid(suite)
    assert sorted(tests) == [
        "test_a.py::TestChild::test_inherited",
        "test_a.py::TestChild::test_overridden",
        "test_a.py::TestOuter::TestInner::test_deep",
    ]
    assert tests["test_a.py::TestChild::test_inherited"].line == 2
    assert tests["test_a.py::TestChild::test_overridden"].line == 9  # the subclass's def wins
    assert tests["test_a.py::TestOuter::TestInner::test_deep"].chain == (
        "",
        "test_a.py",
        "test_a.py::TestOuter",
        "test_a.py::TestOuter::TestInner",
    )


def test_tests_inherited_from_a_class_nested_in_an_imported_holder(tmp_path: Path) -> None:
    suite = suite_of(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/test_base.py": (
                "class Base:\n"
                "    class SharedTests:\n"
                "        def test_shared(self):\n            pass\n\n"
                "class TestLocal(Base.SharedTests):\n"
                "    pass\n"
            ),
            "pkg/test_remote.py": (
                "from .test_base import Base\n\n"
                "class TestRemote(Base.SharedTests):\n"
                "    def helper(self):\n        pass\n\n"
                "class TestMissing(Base.NoSuchClass):\n"
                "    pass\n"
            ),
        },
    )
    assert sorted(by_nodeid(suite)) == [
        "pkg/test_base.py::TestLocal::test_shared",
        "pkg/test_remote.py::TestRemote::test_shared",
    ]


def test_a_redefined_test_is_collected_once_at_its_last_definition(tmp_path: Path) -> None:
    suite = suite_of(
        tmp_path,
        {
            "test_a.py": (
                "def test_x():\n    pass\n\n"
                "def test_x():\n    pass\n\n"
                "class TestA:\n"
                "    def test_m(self):\n        pass\n\n"
                "    def test_m(self):\n        pass\n"
            )
        },
    )
    tests = by_nodeid(suite)
    assert list(tests) == ["test_a.py::test_x", "test_a.py::TestA::test_m"]
    assert tests["test_a.py::test_x"].line == 4
    assert tests["test_a.py::TestA::test_m"].line == 11


def test_argnames_follow_getfuncargnames(tmp_path: Path) -> None:
    suite = suite_of(
        tmp_path,
        {
            "test_a.py": (
                "from unittest import mock\n\n"
                "def test_defaults(a, b=1, *args, c, d=2, **kwargs):\n    pass\n\n"
                "@mock.patch('os.getcwd')\n"
                "def test_patched(getcwd, tmp_path):\n    pass\n\n"
                "class TestM:\n"
                "    def test_method(self, tmp_path):\n        pass\n\n"
                "    @staticmethod\n"
                "    def test_static(tmp_path):\n        pass\n"
            )
        },
    )
    tests = by_nodeid(suite)
    assert tests["test_a.py::test_defaults"].argnames == ("a", "c")
    assert tests["test_a.py::test_patched"].argnames == ("tmp_path",)
    assert tests["test_a.py::TestM::test_method"].argnames == ("tmp_path",)
    assert tests["test_a.py::TestM::test_static"].argnames == ("tmp_path",)


def test_parametrize_cases_direct_and_indirect_names(tmp_path: Path) -> None:
    suite = suite_of(
        tmp_path,
        {
            "conftest.py": (
                "import pytest\n\n@pytest.fixture\ndef num(request):\n    return request.param\n"
            ),
            "test_a.py": (
                "import pytest\n\n"
                "@pytest.mark.parametrize('x', [1, 2])\n"
                "@pytest.mark.parametrize('y, z', [(1, 2), (3, 4), (5, 6)])\n"
                "def test_stacked(x, y, z):\n    pass\n\n"
                "@pytest.mark.parametrize('n', range(3))\n"
                "def test_not_literal(n):\n    pass\n\n"
                "@pytest.mark.parametrize('num', [10, 20], indirect=True)\n"
                "def test_indirect(num):\n    pass\n\n"
                "@pytest.mark.parametrize('s', [1], scope='module')\n"
                "def test_scoped(s):\n    pass\n\n"
                "def test_plain():\n    pass\n\n"
                "@pytest.mark.parametrize('c', [1, 2])\n"
                "class TestCls:\n"
                "    @pytest.mark.parametrize('m', [1, 2, 3])\n"
                "    def test_m(self, c, m):\n        pass\n"
            ),
        },
    )
    tests = by_nodeid(suite)
    stacked = tests["test_a.py::test_stacked"]
    assert stacked.cases == 6
    assert stacked.parametrized
    assert stacked.direct_params == ("x", "y", "z")
    assert tests["test_a.py::test_not_literal"].cases is None
    indirect = tests["test_a.py::test_indirect"]
    assert indirect.direct_params == ()
    assert indirect.cases == 2
    assert indirect.argnames == ("num",)
    assert tests["test_a.py::test_scoped"].param_scopes == (("s", "module"),)
    plain = tests["test_a.py::test_plain"]
    assert (plain.cases, plain.parametrized, plain.direct_params) == (1, False, ())
    method = tests["test_a.py::TestCls::test_m"]
    assert method.cases == 6  # the class mark multiplies the method's
    assert set(method.direct_params) == {"c", "m"}


def test_marks_and_usefixtures_from_module_class_and_function(tmp_path: Path) -> None:
    suite = suite_of(
        tmp_path,
        {
            "test_a.py": (
                "import pytest\n\n"
                "pytestmark = [pytest.mark.usefixtures('mod_fix'), pytest.mark.slow]\n\n"
                "@pytest.mark.usefixtures('cls_fix')\n"
                "class TestA:\n"
                "    @pytest.mark.usefixtures('fn_fix', 'other')\n"
                "    @pytest.mark.network\n"
                "    def test_a(self):\n        pass\n\n"
                "def test_b():\n    pass\n"
            )
        },
    )
    tests = by_nodeid(suite)
    method = tests["test_a.py::TestA::test_a"]
    assert method.usefixtures == ("mod_fix", "cls_fix", "fn_fix", "other")
    assert method.marks == ("usefixtures", "slow", "network")
    assert tests["test_a.py::test_b"].usefixtures == ("mod_fix",)
    assert tests["test_a.py::test_b"].marks == ("usefixtures", "slow")


def test_fixture_definitions_with_scope_autouse_params_and_name(tmp_path: Path) -> None:
    suite = suite_of(
        tmp_path,
        {
            "conftest.py": (
                "import pytest\n\n"
                "@pytest.fixture(scope='session', autouse=True)\n"
                "def env():\n    yield\n\n"
                "@pytest.fixture(params=[1, 2, 3])\n"
                "def num(request):\n    return request.param\n\n"
                "@pytest.fixture(name='renamed')\n"
                "def _impl(tmp_path):\n    return tmp_path\n\n"
                "@pytest.fixture\n"
                "async def aio():\n    return 1\n"
            ),
            "sub/conftest.py": (
                "import pytest\n\n@pytest.fixture(scope='module')\ndef num(num):\n    return num\n"
            ),
            "sub/test_s.py": "def test_s(num):\n    pass\n",
        },
    )
    fixtures = local_fixtures(suite)
    env = fixtures["env"]
    assert (env.scope, env.autouse, env.is_generator, env.node) == (Scope.SESSION, True, True, "")
    assert env.origin is Origin.CONFTEST
    assert suite.autouse[""] == ("env",)
    renamed = fixtures["renamed"]
    assert (renamed.function, renamed.argnames, renamed.line) == ("_impl", ("tmp_path",), 12)
    assert fixtures["aio"].is_async
    nums = [d for d in suite.fixtures if d.name == "num"]
    assert [(d.path, d.node, d.scope) for d in nums] == [
        ("conftest.py", "", Scope.FUNCTION),
        ("sub/conftest.py", "sub", Scope.MODULE),
    ]
    assert (nums[0].has_params, nums[0].params_count) == (True, 3)
    assert nums[1].order > nums[0].order  # the inner conftest registers later
    assert [d.name for d in suite.visible("num", ("", "sub", "sub/test_s.py"))] == ["num", "num"]
    assert suite.visible("num", ("", "other")) == [nums[0]]


def test_fixtures_in_modules_and_classes_are_registered_at_their_node(tmp_path: Path) -> None:
    suite = suite_of(
        tmp_path,
        {
            "test_a.py": (
                "import pytest\n\n"
                "@pytest.fixture\n"
                "def mod_fix():\n    pass\n\n"
                "class TestA:\n"
                "    @pytest.fixture(autouse=True)\n"
                "    def cls_fix(self, mod_fix):\n        pass\n\n"
                "    def test_a(self, cls_fix):\n        pass\n"
            )
        },
    )
    fixtures = local_fixtures(suite)
    assert (fixtures["mod_fix"].node, fixtures["mod_fix"].origin) == ("test_a.py", Origin.MODULE)
    cls_fix = fixtures["cls_fix"]
    assert (cls_fix.node, cls_fix.origin) == ("test_a.py::TestA", Origin.CLASS)
    assert cls_fix.argnames == ("mod_fix",)  # self dropped
    assert suite.autouse["test_a.py::TestA"] == ("cls_fix",)
    # a fixture is not a test, even with a test-like name
    assert [t.nodeid for t in suite.tests] == ["test_a.py::TestA::test_a"]


def test_fixtures_imported_into_a_test_module_register_there(tmp_path: Path) -> None:
    suite = suite_of(
        tmp_path,
        {
            "tests/__init__.py": "",
            "tests/fixtures.py": (
                "import pytest\n\n"
                "@pytest.fixture\n"
                "def db():\n    return 1\n\n"
                "@pytest.fixture\n"
                "def not_imported():\n    return 2\n"
            ),
            "tests/test_a.py": "from .fixtures import db\n\ndef test_a(db):\n    pass\n",
        },
    )
    fixtures = local_fixtures(suite)
    assert "not_imported" not in fixtures
    db = fixtures["db"]
    assert (db.node, db.path, db.origin) == ("tests/test_a.py", "tests/fixtures.py", Origin.MODULE)
    assert [t.nodeid for t in suite.tests] == ["tests/test_a.py::test_a"]


def test_imported_test_functions_are_collected_where_imported(tmp_path: Path) -> None:
    suite = suite_of(
        tmp_path,
        {
            "tests/__init__.py": "",
            "tests/shared.py": "def test_shared():\n    pass\n",
            "tests/test_a.py": "from .shared import test_shared\n",
        },
    )
    (test,) = suite.tests
    assert test.nodeid == "tests/test_a.py::test_shared"
    assert test.defined_in == "tests/shared.py"


def test_xunit_setup_becomes_autouse_fixtures(tmp_path: Path) -> None:
    suite = suite_of(
        tmp_path,
        {
            "test_a.py": (
                "def setup_module():\n    pass\n\n"
                "def teardown_function():\n    pass\n\n"
                "class TestA:\n"
                "    def setup_class(cls):\n        pass\n\n"
                "    def setup_method(self):\n        pass\n\n"
                "    def test_a(self):\n        pass\n"
            )
        },
    )
    xunit = [(d.name, d.node, d.scope, d.line) for d in suite.fixtures if d.origin is Origin.XUNIT]
    assert xunit == [
        ("_xunit_setup_module_fixture_test_a", "test_a.py", Scope.MODULE, 1),
        ("_xunit_setup_function_fixture_test_a", "test_a.py", Scope.FUNCTION, 4),
        ("_xunit_setup_class_fixture_TestA", "test_a.py::TestA", Scope.CLASS, 8),
        ("_xunit_setup_method_fixture_TestA", "test_a.py::TestA", Scope.FUNCTION, 11),
    ]
    assert all(d.autouse for d in suite.fixtures if d.origin is Origin.XUNIT)
    assert suite.autouse["test_a.py"] == (
        "_xunit_setup_module_fixture_test_a",
        "_xunit_setup_function_fixture_test_a",
    )
    # the setup methods are not tests
    assert [t.nodeid for t in suite.tests] == ["test_a.py::TestA::test_a"]


def test_unittest_testcase_classes(tmp_path: Path) -> None:
    suite = suite_of(
        tmp_path,
        {
            "test_a.py": (
                "import unittest\n\n"
                "class Checks(unittest.TestCase):\n"
                "    @classmethod\n"
                "    def setUpClass(cls):\n        pass\n\n"
                "    def test_b(self):\n        pass\n\n"
                "    def test_a(self):\n        pass\n\n"
                "    def helper(self):\n        pass\n\n"
                "class OnlyRun(unittest.TestCase):\n"
                "    def runTest(self):\n        pass\n"
            )
        },
    )
    tests = by_nodeid(suite)
    # collected whatever the class name, test* methods in name order, no fixture arguments
    assert list(tests) == [
        "test_a.py::Checks::test_a",
        "test_a.py::Checks::test_b",
        "test_a.py::OnlyRun::runTest",
    ]
    assert all(t.is_unittest and t.argnames == () for t in tests.values())
    assert suite.autouse["test_a.py::Checks"] == ("_unittest_setUpClass_fixture_Checks",)


def test_a_test_base_class_kept_in_the_project_code_is_not_unittest(tmp_path: Path) -> None:
    # webargs keeps `CommonTestCase` (plain pytest tests and a class-scoped fixture) in
    # src/webargs/testing.py; the suite's classes derive from it and pytest collects the
    # inherited tests with their fixtures: the "TestCase" in its name does not make it unittest
    suite = suite_of(
        tmp_path,
        {
            "pyproject.toml": "[tool.pytest.ini_options]\n",
            "src/app/__init__.py": "",
            "src/app/testing.py": (
                "import unittest\n\nimport pytest\n\n"
                "class CommonTestCase:\n"
                "    @pytest.fixture(scope='class')\n"
                "    def testapp(self):\n        return 1\n\n"
                "    def test_get(self, testapp):\n        assert testapp\n\n"
                "class RealTestCase(unittest.TestCase):\n"
                "    def test_real(self):\n        pass\n"
            ),
            "tests/test_web.py": (
                "from app.testing import CommonTestCase, RealTestCase\n"
                "from elsewhere import GoneTestCase\n\n"
                "class TestFlask(CommonTestCase):\n"
                "    def test_own(self, testapp):\n        assert testapp\n\n"
                "class Derived(RealTestCase):\n"
                "    def test_more(self):\n        pass\n\n"
                "class Unknown(GoneTestCase):\n"
                "    def test_x(self):\n        pass\n"
            ),
        },
    )
    tests = by_nodeid(suite)
    assert set(tests) == {
        "tests/test_web.py::TestFlask::test_own",
        "tests/test_web.py::TestFlask::test_get",
        "tests/test_web.py::Derived::test_more",
        "tests/test_web.py::Derived::test_real",
        "tests/test_web.py::Unknown::test_x",
    }
    inherited = tests["tests/test_web.py::TestFlask::test_get"]
    assert not inherited.is_unittest
    assert inherited.argnames == ("testapp",)
    assert local_fixtures(suite)["testapp"].scope is Scope.CLASS
    # a unittest base in the project, and a base that cannot be read, stay unittest
    assert tests["tests/test_web.py::Derived::test_real"].is_unittest
    assert tests["tests/test_web.py::Unknown::test_x"].is_unittest


def test_test_false_on_a_unittest_base_class_is_inherited(tmp_path: Path) -> None:
    # webargs' tornado tests: `BaseAsyncTestCase(AsyncHTTPTestCase)` says `__test__ = False`
    # and pytest reads it with getattr, so its subclasses are not collected either,
    # unless one sets `__test__ = True` again
    suite = suite_of(
        tmp_path,
        {
            "test_a.py": (
                "import unittest\n\n"
                "class Base(unittest.TestCase):\n"
                "    __test__ = False\n\n"
                "    def runTest(self):\n        pass\n\n"
                "class TestApp(Base):\n"
                "    def test_post(self):\n        pass\n\n"
                "class TestAgain(Base):\n"
                "    __test__ = True\n\n"
                "    def test_get(self):\n        pass\n"
            )
        },
    )
    assert list(by_nodeid(suite)) == ["test_a.py::TestAgain::test_get"]


def test_cases_of_a_list_imported_from_another_module_of_the_suite(tmp_path: Path) -> None:
    # marshmallow: `from tests.base import ALL_FIELDS` then `parametrize("FieldClass",
    # ALL_FIELDS)`, 23 items each; a list from outside the test tree stays unknown
    suite = suite_of(
        tmp_path,
        {
            "tests/__init__.py": "",
            "tests/base.py": "ALL_FIELDS = [int, str, float]\nMODES = ('a', 'b')\n",
            "tests/test_fields.py": (
                "import pytest\n"
                "from tests.base import ALL_FIELDS, MODES\n"
                "from elsewhere import OTHER\n\n"
                "@pytest.fixture(params=MODES)\n"
                "def mode(request):\n    return request.param\n\n"
                "@pytest.mark.parametrize('field', ALL_FIELDS)\n"
                "def test_field(field, mode):\n    assert field\n\n"
                "@pytest.mark.parametrize('x', OTHER)\n"
                "def test_other(x):\n    assert x\n"
            ),
        },
    )
    tests = by_nodeid(suite)
    assert tests["tests/test_fields.py::test_field"].cases == 3
    assert tests["tests/test_fields.py::test_other"].cases is None
    assert local_fixtures(suite)["mode"].params_count == 2


def test_a_patcher_bound_to_a_name_injects_its_mock(tmp_path: Path) -> None:
    # requests-cache: `patch_normalize_url = patch(...)` in tests/conftest.py, imported and
    # used as `@patch_normalize_url`; its mock is the first argument, not a fixture
    suite = suite_of(
        tmp_path,
        {
            "tests/__init__.py": "",
            "tests/conftest.py": (
                "from unittest.mock import patch\n\n"
                "patch_normalize_url = patch('app.normalize_url', side_effect=str)\n"
                "patch_with_new = patch('app.other', new=1)\n"
            ),
            "tests/test_cache.py": (
                "from unittest.mock import patch\n\n"
                "from tests.conftest import patch_normalize_url, patch_with_new\n\n"
                "patch_here = patch.object(dict, 'get')\n\n\n"
                "@patch_normalize_url\n"
                "def test_delete(mock_normalize_url, mock_session):\n    assert mock_session\n\n\n"
                "@patch_here\n"
                "def test_get(mock_get, mock_session):\n    assert mock_session\n\n\n"
                "@patch_with_new\n"
                "def test_new(mock_session):\n    assert mock_session\n"
            ),
        },
    )
    tests = by_nodeid(suite)
    for name in ("test_delete", "test_get", "test_new"):
        assert tests[f"tests/test_cache.py::{name}"].argnames == ("mock_session",)


def test_paths_nodes_and_chains_below_the_rootdir(tmp_path: Path) -> None:
    suite = suite_of(
        tmp_path,
        {
            "tests/unit/conftest.py": (
                "import pytest\n\n@pytest.fixture\ndef unit_fix():\n    pass\n"
            ),
            "tests/unit/test_a.py": "def test_a(unit_fix):\n    pass\n",
        },
    )
    (test,) = suite.tests
    assert test.nodeid == "tests/unit/test_a.py::test_a"
    assert test.chain == ("", "tests", "tests/unit", "tests/unit/test_a.py")
    assert local_fixtures(suite)["unit_fix"].node == "tests/unit"
    assert suite.test_files == ("tests/unit/test_a.py",)
    assert suite.conftests == ("tests/unit/conftest.py",)


def test_ini_usefixtures_act_as_session_autouse(tmp_path: Path) -> None:
    suite = suite_of(
        tmp_path,
        {
            "pytest.ini": "[pytest]\nusefixtures = from_ini\n",
            "conftest.py": (
                "import pytest\n\n@pytest.fixture(autouse=True)\ndef auto():\n    pass\n"
            ),
            "test_a.py": "def test_a():\n    pass\n",
        },
    )
    assert suite.autouse[""] == ("from_ini", "auto")
    assert suite.autouse_names(("", "test_a.py")) == ["from_ini", "auto"]


def test_builtin_fixtures_are_registered_at_the_session(tmp_path: Path) -> None:
    suite = suite_of(tmp_path, {"test_a.py": "def test_a(tmp_path):\n    pass\n"})
    (tmp,) = [d for d in suite.fixtures if d.name == "tmp_path"]
    assert (tmp.origin, tmp.node) == (Origin.BUILTIN, "")
    assert tmp.path.endswith("_pytest/tmpdir.py")
    assert not Path(tmp.path).is_absolute()
    assert "tmpdir" in suite.plugins


def test_a_builtin_fixture_is_shown_the_same_from_any_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site_packages = Path(_pytest.__file__).parent.parent
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    shown: list[str] = []
    # `python -m` puts the working directory first on sys.path: once a folder holding
    # site-packages (as a project holds its .venv), once a folder that does not
    for cwd in (site_packages.parent.parent, outside):
        with monkeypatch.context() as patch:
            patch.chdir(cwd)
            patch.syspath_prepend(str(cwd))
            suite = suite_of(tmp_path / "suite", {"test_a.py": "def test_a(tmp_path):\n    pass\n"})
            (tmp,) = [d for d in suite.fixtures if d.name == "tmp_path"]
            shown.append(tmp.path)
    assert shown == ["_pytest/tmpdir.py", "_pytest/tmpdir.py"]


def test_an_installed_plugin_is_shown_relative_to_its_site_packages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    site_packages = project / ".venv" / "lib" / "python3.11" / "site-packages"
    plugin = site_packages / "acme" / "plugin.py"
    on_path = tmp_path / "plugins" / "extra" / "fixtures.py"
    for module in (plugin, on_path, project / "tests" / "conftest.py"):
        module.parent.mkdir(parents=True, exist_ok=True)
        module.write_text("", encoding="utf-8")
    monkeypatch.syspath_prepend(str(site_packages))
    monkeypatch.syspath_prepend(str(tmp_path / "plugins" / "extra"))
    monkeypatch.syspath_prepend(str(tmp_path / "plugins"))
    for cwd in (project, tmp_path):
        with monkeypatch.context() as patch:
            patch.chdir(cwd)
            patch.syspath_prepend(str(cwd))
            for rootdir in (project, tmp_path / "other"):
                index = ModuleIndex([rootdir / "tests"], [rootdir], lambda path: None)
                registrar = FixtureRegistrar(rootdir, index)
                # site-packages wins even over a rootdir holding the virtualenv
                assert registrar.display_path(plugin) == "acme/plugin.py"
                # another sys.path entry: the most specific one holding the file
                assert registrar.display_path(on_path) == "fixtures.py"
            registrar = FixtureRegistrar(project, ModuleIndex([], [project], lambda path: None))
            assert registrar.display_path(project / "tests" / "conftest.py") == "tests/conftest.py"


def test_marks_of_a_base_class_reach_the_tests_of_its_subclasses(tmp_path: Path) -> None:
    """pytest (7.2+) applies the marks of every class of the MRO, bases first: a
    `usefixtures` or `parametrize` on a base class reaches a subclass's tests (the model
    missed it: 9 closures of SQLAlchemy-Utils lacked a fixture)."""
    suite = suite_of(
        tmp_path,
        {
            "test_a.py": "import pytest\n\n"
            "@pytest.fixture\ndef db():\n    return 1\n\n"
            "@pytest.mark.usefixtures('db')\n@pytest.mark.parametrize('n', [1, 2])\n"
            "class Base:\n    pass\n\n"
            "@pytest.mark.slow\nclass TestChild(Base):\n    def test_x(self, n):\n"
            "        assert n\n\n"
            "class TestPlain:\n    def test_y(self):\n        assert True\n",
        },
    )
    tests = by_nodeid(suite)
    child = tests["test_a.py::TestChild::test_x"]
    assert child.usefixtures == ("db",)
    assert child.cases == 2
    assert set(child.marks) >= {"usefixtures", "slow"}
    assert tests["test_a.py::TestPlain::test_y"].usefixtures == ()
