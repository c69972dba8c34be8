"""`migrate`'s helper operations: a helper module pytest would collect is renamed (TA102)
with every import of it rewritten, and a helper class named like a test class gets
`__test__ = False` (TA103)."""

from __future__ import annotations

from pathlib import Path

from auditor.migrate.edits import build_changes
from tests.unit.migrate_support import ops, plan_of
from tests.unit.migrate_support import write_suite as suite

HELPER = "def double(x):\n    return 2 * x\n"
USER = (
    "from test_helpers import double\n\n\n"
    "class TestData:\n    def __init__(self, value):\n        self.value = value\n\n\n"
    "def test_double():\n    assert double(TestData(2).value) == 4\n"
)


def test_a_helper_module_named_like_a_test_is_renamed_and_its_imports_follow(
    tmp_path: Path,
) -> None:
    root = suite(
        tmp_path,
        {"tests/conftest.py": "", "tests/test_helpers.py": HELPER, "tests/test_math.py": USER},
    )
    plan = plan_of(root)
    rename = ops(plan, "rename")["tests/test_helpers.py"]
    assert (rename.apply, rename.target) == (True, "tests/helpers.py")
    assert ops(plan, "move")["tests/test_math.py"].apply  # its import is rewritten
    changes = build_changes(root, plan)
    assert changes.renames["tests/test_helpers.py"] == "tests/helpers.py"
    written = changes.writes["tests/unit/test_math.py"]
    assert written.startswith(b"import pytest\n\nfrom helpers import double\n")  # its block
    assert b"class TestData:\n    __test__ = False\n    def __init__" in written


def test_a_rename_onto_an_existing_module_is_held_back(tmp_path: Path) -> None:
    root = suite(
        tmp_path,
        {
            "tests/conftest.py": "",
            "tests/test_helpers.py": HELPER,
            "tests/helpers.py": HELPER,
            "tests/test_math.py": USER,
        },
    )
    rename = ops(plan_of(root), "rename")["tests/test_helpers.py"]
    assert not rename.apply
    assert "tests/helpers.py exists already" in rename.hazards


def test_a_helper_class_named_like_a_test_class_gets_test_false(tmp_path: Path) -> None:
    root = suite(tmp_path, {"tests/test_math.py": USER.replace("test_helpers", "helpers")})
    (root / "tests/helpers.py").write_text(HELPER)
    notest = ops(plan_of(root), "notest")["tests/test_math.py"]
    assert (notest.apply, notest.name) == (True, "TestData")
