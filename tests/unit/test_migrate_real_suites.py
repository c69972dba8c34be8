"""`migrate plan` on patterns met in real third-party suites (small synthetic cases)."""

from __future__ import annotations

from auditor.config import load_config
from auditor.migrate.edits import build_changes, mark_module
from auditor.migrate.plan import make_plan
from auditor.model.build import BuildOptions
from tests.unit.migrate_support import ops, plan_of
from tests.unit.migrate_support import write_suite as suite

UNIT = "def test_add():\n    assert 1 + 1 == 2\n"


def test_another_modules_file_attribute_does_not_hold_a_move_back(tmp_path):
    # alembic's test_stubs.py: `Path(alembic.__file__).parent / "op.pyi"` names the
    # package's file, which no move changes
    root = suite(
        tmp_path,
        {
            "tests/test_stubs.py": "import os\nfrom pathlib import Path\n\n\n"
            "def test_stub():\n    assert Path(os.__file__).parent.name\n"
            "    assert os.path.__file__\n",
        },
    )
    plan = plan_of(root)
    move = ops(plan, "move")["tests/test_stubs.py"]
    assert move.apply, move.hazards
    assert "tests/test_stubs.py" not in ops(plan, "rewrite")


def test_the_modules_own_file_through_an_expression_still_holds_the_move_back(tmp_path):
    root = suite(
        tmp_path,
        {
            "tests/test_own.py": "import sys\n\n\ndef test_own():\n"
            "    assert sys.modules[__name__].__file__\n",
        },
    )
    move = ops(plan_of(root), "move")["tests/test_own.py"]
    assert not move.apply
    assert move.hazards == ("uses `__file__` in a way that is not rewritten (line 5)",)


PLUGIN_COLLECTED = (
    "class Base:\n    pass\n\n\n"
    "class TestSeen(Base):\n    def test_seen(self):\n        assert True\n\n\n"
    "class UpdateRevTest(Base):\n    __backend__ = True\n\n"
    "    def test_update(self):\n        assert True\n"
)


def test_a_class_pytest_rules_do_not_collect_holds_the_modules_move_and_mark_back(tmp_path):
    # alembic's test_version_table.py: SQLAlchemy's plugin collects `UpdateRevTest` (a
    # TestBase subclass) although python_classes does not match it; a module pytestmark
    # would mark its tests too, and the move would change node ids the plan does not map
    root = suite(tmp_path, {"tests/test_version.py": PLUGIN_COLLECTED})
    plan = plan_of(root)
    for kind in ("move", "mark"):
        op = ops(plan, kind)["tests/test_version.py"]
        assert not op.apply, kind
        assert any(h.startswith("class UpdateRevTest (line 10) has tests") for h in op.hazards)
    assert not any(op.apply for op in plan.operations if op.kind == "register")


def test_a_mixin_of_test_methods_holds_nothing_back(tmp_path):
    root = suite(
        tmp_path,
        {
            "tests/test_mixin.py": "class Checks:\n    def test_shared(self):\n"
            "        assert True\n\n\nclass TestA(Checks):\n    pass\n",
            "tests/test_plain.py": UNIT,
        },
    )
    plan = plan_of(root)
    assert ops(plan, "move")["tests/test_mixin.py"].apply
    assert ops(plan, "mark")["tests/test_mixin.py"].apply


def test_the_marker_of_a_held_back_mark_is_not_registered(tmp_path):
    # alembic: `unit` was registered in pyproject.toml although its only mark was held back
    root = suite(
        tmp_path,
        {
            "tests/test_version.py": PLUGIN_COLLECTED,
            "tests/test_db.py": "import sqlite3\n\n\ndef test_db(tmp_path):\n"
            "    sqlite3.connect(str(tmp_path / 'x.db')).close()\n",
        },
    )
    plan = plan_of(root)
    assert not ops(plan, "mark")["tests/test_version.py"].apply
    assert ops(plan, "mark")["tests/test_db.py"].apply
    register = ops(plan, "register")["pytest.ini"]
    assert register.apply
    assert plan.registered(register) == (
        "integration: integration tier (registered by test-auditor migrate)",
    )
    written = build_changes(root, plan).writes["pytest.ini"].decode()
    assert "integration:" in written
    assert "unit:" not in written


def test_a_string_spelling_the_modules_own_name_holds_the_move_back(tmp_path):
    # attrs' test_make.py: `repr(C(1)).startswith("<tests.test_make.C object at 0x")`
    root = suite(
        tmp_path,
        {
            "tests/__init__.py": "",
            "tests/test_make.py": "class C:\n    pass\n\n\ndef test_repr():\n"
            "    assert repr(C()).startswith('<tests.test_make.C object at 0x')\n",
            "tests/test_patch.py": "from unittest import mock\n\n\ndef test_patch():\n"
            "    with mock.patch('tests.test_patch.mock'):\n        pass\n",
        },
    )
    plan = plan_of(root)
    move = ops(plan, "move")["tests/test_make.py"]
    assert not move.apply
    assert move.hazards == (
        "spells its own import name `tests.test_make` inside a string (line 6), "
        "which the move changes",
    )
    assert ops(plan, "move")["tests/test_patch.py"].apply  # a whole dotted name: rewritten


def test_a_value_made_from_module_holds_the_move_back(tmp_path):
    # attrs' test_slots.py: a pickle payload whose length byte counts `a.__module__`
    root = suite(
        tmp_path,
        {
            "tests/__init__.py": "",
            "tests/test_slots.py": "import pickle\n\n\nclass A:\n    pass\n\n\n"
            "def test_unpickle():\n    data = b'\\x8c\\x10' + A.__module__.encode()\n"
            "    assert data\n\n\ndef test_same_module():\n"
            "    assert A.__module__ == test_same_module.__module__\n",
        },
    )
    move = ops(plan_of(root), "move")["tests/test_slots.py"]
    assert not move.apply
    assert move.hazards == (
        "reads `__module__` (line 9): a value made from the module's import name, which the "
        "move changes",
    )


def test_modules_of_plugin_collected_classes_only_are_named_as_left_alone(tmp_path):
    # alembic's test_op.py: `class OpTest(TestBase)` and no class named Test*
    root = suite(
        tmp_path,
        {
            "tests/test_op.py": "class Base:\n    pass\n\n\nclass OpTest(Base):\n"
            "    def test_add_column(self):\n        assert True\n",
            "tests/test_plain.py": UNIT,
        },
    )
    said: list[str] = []
    config = load_config([], invocation_dir=root)
    plan = make_plan(
        config, build=BuildOptions(use_cache=False), invocation_dir=root, progress=said.append
    )
    assert "tests/test_op.py" not in {op.path for op in plan.operations}
    assert (
        "1 test module left alone: the model sees no test in them, only classes pytest's "
        "rules do not collect (a plugin may): tests/test_op.py"
    ) in said


def test_a_plugin_collected_class_that_inherits_its_tests_holds_the_move_back(tmp_path):
    # alembic's test_impl.py: `class FutureImplTest(FutureEngineMixin, ImplTest)`, its
    # tests all in `ImplTest` (a base, so not itself named)
    root = suite(
        tmp_path,
        {
            "tests/test_impl.py": "class Base:\n    pass\n\n\nclass ImplTest(Base):\n"
            "    def test_exec(self):\n        assert True\n\n\n"
            "class FutureImplTest(ImplTest):\n    pass\n\n\n"
            "class TestSeen:\n    def test_seen(self):\n        assert True\n",
        },
    )
    move = ops(plan_of(root), "move")["tests/test_impl.py"]
    assert not move.apply
    assert move.hazards[0].startswith("class FutureImplTest (line 10) has tests (test_exec)")


def test_a_marker_merged_into_a_one_element_list_written_a_line_each_keeps_the_layout():
    # attrs' test_pyright.py: the marker went after `),` on the skipif's closing line
    source = (
        b"import pytest\n\npytestmark = [\n    pytest.mark.skipif(\n"
        b'        True, reason="x"\n    ),\n]\n'
    )
    assert mark_module(source, "integration", ()) == (
        b"import pytest\n\npytestmark = [\n    pytest.mark.skipif(\n"
        b'        True, reason="x"\n    ),\n    pytest.mark.integration,\n]\n'
    )
    one_line = b"import pytest\n\npytestmark = [pytest.mark.slow,]\n"
    assert mark_module(one_line, "integration", ()) == (
        b"import pytest\n\npytestmark = [pytest.mark.slow, pytest.mark.integration,]\n"
    )


def test_a_move_python_files_would_not_collect_names_the_pattern(tmp_path):
    # alembic: `python_files = "tests/test_*.py"` matches no file under tests/unit/
    root = suite(tmp_path, {"tests/test_plain.py": UNIT}, ini="python_files = tests/test_*.py\n")
    move = ops(plan_of(root), "move")["tests/test_plain.py"]
    assert not move.apply
    assert move.hazards == (
        "tests/unit/test_plain.py would not be collected: python_files ('tests/test_*.py') "
        "does not match it",
    )
