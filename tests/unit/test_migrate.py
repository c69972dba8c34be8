"""`migrate plan`/`diff`: the planner, the static proof and its hazards, the edits and the
plan file, on small suites built in tmp_path (nothing here runs pytest)."""

from __future__ import annotations

import pytest

from auditor.config import ConfigError, load_config
from auditor.migrate.diff import render_diff
from auditor.migrate.edits import EditError, build_changes, mark_module, register_markers
from auditor.migrate.layout import target_of
from auditor.migrate.plan_file import Operation, Plan, StalePlan, check_fresh, read, render
from auditor.settings import MigrateSettings
from tests.unit.migrate_support import ops, plan_of
from tests.unit.migrate_support import write_suite as suite

TIERS = ("unit", "integration", "performance")

UNIT = "def test_add():\n    assert 1 + 1 == 2\n"
INTEGRATION = (
    "import sqlite3\n\n\ndef test_db(tmp_path):\n"
    "    sqlite3.connect(str(tmp_path / 'x.db')).close()\n"
)


def test_layout_keeps_the_subpath_and_drops_a_tier_folder():
    settings = MigrateSettings()
    assert target_of("tests/api/test_x.py", "integration", settings, TIERS) == (
        "tests/integration/api/test_x.py"
    )
    assert target_of("tests/unit/test_x.py", "integration", settings, TIERS) == (
        "tests/integration/test_x.py"
    )
    assert target_of("tests/unit/test_x.py", "unit", settings, TIERS) == "tests/unit/test_x.py"
    assert target_of("other/test_x.py", "unit", settings, TIERS) is None
    named = MigrateSettings(layout="suite/{tier}/{subpath}", folders=(("unit", "fast"),))
    assert target_of("suite/test_x.py", "unit", named, TIERS) == "suite/fast/test_x.py"


def test_migrate_settings_are_read_and_checked(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        "[tool.pytest.ini_options]\n[tool.test-auditor.migrate]\n"
        'layout = "t/{tier}/{subpath}"\nmarkers = { unit = "fast" }\n'
    )
    settings = load_config([], invocation_dir=tmp_path).auditor.migrate
    assert settings.layout == "t/{tier}/{subpath}"
    assert settings.marker("unit") == "fast"
    assert settings.folder("unit") == "unit"
    (tmp_path / "pyproject.toml").write_text('[tool.test-auditor.migrate]\nlayout = "x"\n')
    with pytest.raises(ConfigError, match="layout"):
        load_config([], invocation_dir=tmp_path)


def test_plan_moves_marks_and_registers_one_tier_modules(tmp_path):
    root = suite(
        tmp_path,
        {
            "tests/__init__.py": "",
            "tests/test_math.py": UNIT,
            "tests/api/__init__.py": "",
            "tests/api/test_store.py": INTEGRATION,
        },
    )
    plan = plan_of(root)
    moves = ops(plan, "move")
    math = moves["tests/test_math.py"]
    assert math.apply
    assert math.safety == "safe"
    assert math.target == "tests/unit/test_math.py"
    assert math.nodeids == (("tests/test_math.py::test_add", "tests/unit/test_math.py::test_add"),)
    store = moves["tests/api/test_store.py"]
    assert store.target == "tests/integration/api/test_store.py"
    # the new folders stay packages, as the module's folder was
    assert store.creates == ("tests/integration/__init__.py", "tests/integration/api/__init__.py")
    assert any("sqlite3.connect" in e for e in store.evidence)
    marks = ops(plan, "mark")
    assert {op.marker for op in marks.values()} == {"unit", "integration"}
    (register,) = ops(plan, "register").values()
    assert register.apply
    assert register.path == "pytest.ini"
    assert set(plan.files) == {"tests/test_math.py", "tests/api/test_store.py", "pytest.ini"}


MIXED = (
    "import sqlite3\n\nimport pytest\n\nLIMIT = 3\n\n\n"
    "@pytest.fixture\ndef db(tmp_path):\n    return sqlite3.connect(str(tmp_path / 'x.db'))\n\n\n"
    "def test_add():\n    assert 1 + 1 < LIMIT\n\n\n"
    "def test_db(db):\n    db.execute('select 1')\n"
)


def test_a_module_spanning_tiers_is_split_into_one_module_per_tier(tmp_path):
    root = suite(tmp_path, {"tests/test_mixed.py": MIXED})
    plan = plan_of(root)
    (split,) = ops(plan, "split").values()
    assert split.apply, split.hazards
    assert dict(split.tiers) == {"integration": 1, "unit": 1}
    parts = dict(split.parts)
    assert split.target in parts.values()
    other = next(t for t in parts.values() if t != split.target)
    assert other.endswith(("_integration.py", "_unit.py"))  # no __init__.py
    assert plan.new_nodeid("tests/test_mixed.py::test_db") == parts["integration"] + "::test_db"
    changes = build_changes(root, plan)
    assert changes.renames == {"tests/test_mixed.py": split.target}
    unit, integration = changes.writes[parts["unit"]], changes.writes[parts["integration"]]
    assert b"def test_add" in unit
    assert b"def test_db" not in unit
    assert b"def test_db" in integration
    assert b"def test_add" not in integration
    for part in (unit, integration):  # each carries the imports, constants and fixtures
        assert b"LIMIT = 3" in part
        assert b"def db(tmp_path)" in part
    assert b"pytestmark = pytest.mark.unit\n" in unit
    assert b"pytestmark = pytest.mark.integration\n" in integration


def test_a_split_that_would_duplicate_a_module_fixture_is_held_back(tmp_path):
    shared = (
        MIXED.replace("LIMIT = 3", "@pytest.fixture(scope='module')\ndef limit():\n    return 3")
        .replace("def test_add():", "def test_add(limit):")
        .replace("def test_db(db):", "def test_db(db, limit):")
    )
    root = suite(tmp_path, {"tests/test_mixed.py": shared})
    (split,) = ops(plan_of(root), "split").values()
    assert not split.apply
    assert split.safety == "unsafe"
    assert (
        "fixture `limit` (module) is used by tests of 2 parts: it would become two instances"
        in split.hazards
    )


def test_a_split_that_would_copy_module_state_is_held_back(tmp_path):
    shared = (
        MIXED.replace("LIMIT = 3", "SEEN = []")
        .replace("assert 1 + 1 < LIMIT", "SEEN.append(1)")
        .replace("db.execute('select 1')", "db.execute('select 1')\n    assert len(SEEN) < 9")
    )
    root = suite(tmp_path, {"tests/test_mixed.py": shared})
    (split,) = ops(plan_of(root), "split").values()
    assert not split.apply
    assert (
        "module state `SEEN` is used by tests of 2 parts: it would become two copies"
        in split.hazards
    )


def test_a_helper_imported_by_plain_name_holds_the_move_back(tmp_path):
    root = suite(
        tmp_path,
        {
            "tests/helpers.py": "def double(x):\n    return 2 * x\n",
            "tests/test_double.py": "from helpers import double\n\n\ndef test_d():\n"
            "    assert double(2) == 4\n",
        },
    )
    move = ops(plan_of(root), "move")["tests/test_double.py"]
    assert not move.apply
    assert any("imports `helpers` by plain name from tests/helpers.py" in h for h in move.hazards)


def test_a_module_other_modules_import_is_held_back(tmp_path):
    root = suite(
        tmp_path,
        {
            "tests/test_base.py": "VALUE = 1\n\n\ndef test_v():\n    assert VALUE\n",
            "tests/test_user.py": "from test_base import VALUE\n\n\ndef test_u():\n"
            "    assert VALUE\n",
        },
    )
    move = ops(plan_of(root), "move")["tests/test_base.py"]
    assert not move.apply
    assert any("imported by tests/test_user.py (line 1)" in h for h in move.hazards)


def test_paths_relative_to_the_module_are_rewritten_for_the_new_depth(tmp_path):
    root = suite(
        tmp_path,
        {
            "tests/test_data.py": "from pathlib import Path\n\nDATA = Path(__file__).parent"
            " / 'data.txt'\n\n\ndef test_d():\n    assert DATA.name\n",
        },
    )
    plan = plan_of(root)
    assert ops(plan, "move")["tests/test_data.py"].apply
    assert ops(plan, "rewrite")["tests/test_data.py"].apply
    written = build_changes(root, plan).writes["tests/unit/test_data.py"]
    assert b"DATA = Path(__file__).parents[1] / 'data.txt'\n" in written


def test_paths_relative_to_the_module_that_cannot_be_rewritten_hold_the_move_back(tmp_path):
    root = suite(
        tmp_path,
        {
            "tests/test_data.py": "from pathlib import Path\n\nDATA = Path(__file__)"
            ".with_name('data.txt')\n\n\ndef test_d():\n    assert DATA.name\n",
        },
    )
    move = ops(plan_of(root), "move")["tests/test_data.py"]
    assert not move.apply
    assert move.hazards == ("uses `__file__` in a way that is not rewritten (line 3)",)


TOKEN_CONFTEST = "import pytest\n\n\n@pytest.fixture\ndef token():\n    return 't'\n"


def test_a_conftest_fixture_the_move_would_hide_holds_it_back(tmp_path):
    # a conftest with a hook stays where pytest reads it, so it cannot follow the module
    hook = "\n\ndef pytest_addoption(parser):\n    parser.addoption('--token')\n"
    root = suite(
        tmp_path,
        {
            "tests/api/conftest.py": TOKEN_CONFTEST + hook,
            "tests/api/test_token.py": "def test_t(token):\n    assert token\n",
        },
    )
    move = ops(plan_of(root), "move")["tests/api/test_token.py"]
    assert not move.apply
    assert any("loses `token` from tests/api/conftest.py" in h for h in move.hazards)
    assert "tests/api/conftest.py" not in ops(plan_of(root), "move")
    # its mark does not need the move: it applies in place
    assert ops(plan_of(root), "mark")["tests/api/test_token.py"].apply


def test_a_conftest_goes_with_the_modules_of_its_folder(tmp_path):
    root = suite(
        tmp_path,
        {
            "tests/api/conftest.py": TOKEN_CONFTEST,
            "tests/api/test_token.py": "def test_t(token):\n    assert token\n",
            "tests/api/test_other.py": "def test_o(token):\n    assert token\n",
        },
    )
    moves = ops(plan_of(root), "move")
    assert moves["tests/api/test_token.py"].apply, moves["tests/api/test_token.py"].hazards
    conftest = moves["tests/api/conftest.py"]
    assert (conftest.apply, conftest.target) == (True, "tests/unit/api/conftest.py")
    assert conftest.follows == ("tests/api/test_other.py", "tests/api/test_token.py")


def test_duplicate_basenames_without_init_are_held_back(tmp_path):
    root = suite(
        tmp_path,
        {"tests/api/test_same.py": UNIT, "tests/unit/test_same.py": UNIT.replace("add", "b")},
    )
    move = ops(plan_of(root), "move")["tests/api/test_same.py"]
    assert not move.apply
    assert any("would be imported as `test_same`" in h for h in move.hazards)


def test_plan_file_round_trips_and_knows_when_it_is_stale(tmp_path):
    root = suite(tmp_path, {"tests/test_math.py": UNIT})
    plan = plan_of(root)
    path = tmp_path / "plan.toml"
    path.write_text(render(plan))
    again = read(path)
    assert again.operations == plan.operations
    assert again.files == plan.files
    check_fresh(again)
    (root / "tests/test_math.py").write_text(UNIT + "\n")
    with pytest.raises(StalePlan, match=r"tests/test_math\.py changed"):
        check_fresh(again)


def test_diff_shows_renames_new_files_and_hunks(tmp_path):
    root = suite(tmp_path, {"tests/__init__.py": "", "tests/test_math.py": UNIT})
    plan = plan_of(root)
    text = render_diff(build_changes(root, plan))
    assert "diff --git a/tests/test_math.py b/tests/unit/test_math.py\n" in text
    assert "rename from tests/test_math.py\nrename to tests/unit/test_math.py\n" in text
    assert "diff --git a/tests/unit/__init__.py b/tests/unit/__init__.py\nnew file mode" in text
    assert "+pytestmark = pytest.mark.unit\n" in text
    assert "+    unit: unit tier" in text
    assert (root / "tests/test_math.py").read_text() == UNIT  # nothing written


def test_mark_merges_into_an_existing_pytestmark():
    single = b"import pytest\n\npytestmark = pytest.mark.slow\n"
    assert b"pytestmark = [pytest.mark.slow, pytest.mark.unit]\n" in mark_module(single, "unit")
    listed = b"import pytest\n\npytestmark = [\n    pytest.mark.a,\n    pytest.mark.b,\n]\n"
    assert mark_module(listed, "unit").endswith(
        b"    pytest.mark.a,\n    pytest.mark.b,\n    pytest.mark.unit,\n]\n"
    )
    with pytest.raises(EditError, match="not a literal"):
        mark_module(b"import pytest\nfrom x import MARKS\npytestmark = MARKS\n", "unit")


def test_mark_keeps_crlf_and_a_latin1_coding_cookie():
    crlf = b"def test_x():\r\n    assert True\r\n"
    marked = mark_module(crlf, "unit")
    assert b"pytestmark = pytest.mark.unit\r\n" in marked
    assert b"\n" not in marked.replace(b"\r\n", b"")
    latin = "# -*- coding: latin-1 -*-\n\ndef test_caf\u00e9_name():\n    assert '\u00e9'\n"
    marked = mark_module(latin.encode("latin-1"), "unit")
    assert marked.decode("latin-1").endswith(latin.split("\n", 2)[2])
    assert "\u00e9".encode("latin-1") in marked


def test_register_in_pyproject_keeps_its_comments(tmp_path):
    original = (
        b"[project]\nname = 'x'\n\n[tool.pytest.ini_options]\n"
        b'markers = [\n    "slow: slow ones",  # keep me\n]\naddopts = "-ra"\n'
    )
    edited = register_markers(tmp_path / "pyproject.toml", original, ["unit: u"])
    assert b'    "slow: slow ones",  # keep me\n    "unit: u",\n]' in edited
    assert edited.replace(b'    "unit: u",\n', b"") == original


def test_register_in_an_ini_file_adds_continuation_lines(tmp_path):
    original = b"[pytest]\n# comment\nmarkers =\n    slow: slow ones\naddopts = -ra\n"
    edited = register_markers(tmp_path / "pytest.ini", original, ["unit: u"])
    assert edited == (
        b"[pytest]\n# comment\nmarkers =\n    slow: slow ones\n    unit: u\naddopts = -ra\n"
    )
    fresh = register_markers(tmp_path / "tox.ini", b"[tox]\n\n[pytest]\naddopts = -ra\n", ["u: u"])
    assert fresh == b"[tox]\n\n[pytest]\naddopts = -ra\nmarkers =\n    u: u\n"


def test_a_conftest_move_is_held_back_with_a_module_it_goes_with():
    from auditor.migrate.rewrites import held_with_companions

    module = Operation(id="move-001", kind="move", path="tests/api/test_a.py", target="x")
    conftest = Operation(
        id="move-002",
        kind="move",
        path="tests/api/conftest.py",
        target="tests/unit/api/conftest.py",
        follows=("tests/api/test_a.py",),
    )
    assert held_with_companions([module, conftest]) == [module, conftest]
    held = held_with_companions([module.held("a hazard"), conftest])[1]
    assert not held.apply
    assert held.hazards == ("goes with tests/api/test_a.py, which is held back",)


def test_the_new_operation_fields_round_trip_through_the_plan_file(tmp_path):
    split = Operation(
        id="split-001",
        kind="split",
        path="tests/test_mixed.py",
        target="tests/unit/test_mixed.py",
        markers=("integration", "unit"),
        parts=(
            ("integration", "tests/integration/test_mixed.py"),
            ("unit", "tests/unit/test_mixed.py"),
        ),
        nodeids=(("tests/test_mixed.py::test_db", "tests/integration/test_mixed.py::test_db"),),
    )
    notest = Operation(id="notest-001", kind="notest", path="tests/test_x.py", name="TestData")
    conftest = Operation(
        id="move-001",
        kind="move",
        path="a/conftest.py",
        target="b/conftest.py",
        follows=("a/t.py",),
    )
    plan = Plan(rootdir=tmp_path, operations=(split, notest, conftest))
    (tmp_path / "plan.toml").write_text(render(plan))
    again = read(tmp_path / "plan.toml")
    assert again.operations == plan.operations
    assert again.new_nodeid("tests/test_mixed.py::test_db[1]") == (
        "tests/integration/test_mixed.py::test_db[1]"
    )


def test_a_conftest_does_not_follow_into_a_folder_other_modules_reach(tmp_path):
    # tests/api/ goes to tests/unit/api/, where a module is already: the conftest would
    # reach it too, so it stays, and the module that needs it is held back
    root = suite(
        tmp_path,
        {
            "tests/api/conftest.py": TOKEN_CONFTEST,
            "tests/api/test_token.py": "def test_t(token):\n    assert token\n",
            "tests/unit/api/test_math.py": UNIT,
        },
    )
    moves = ops(plan_of(root), "move")
    assert "tests/api/conftest.py" not in moves
    assert not moves["tests/api/test_token.py"].apply


def test_split_parts_are_rewritten_for_their_folders_and_their_markers_registered(tmp_path):
    source = (
        "import sqlite3\nfrom pathlib import Path\n\nDATA = Path(__file__).parent / 'data.txt'"
        "\n\n\ndef test_reads_data():\n    assert DATA.name\n\n\n"
        "def test_db(tmp_path):\n    sqlite3.connect(str(tmp_path / 'x.db')).close()\n"
    )
    root = suite(tmp_path, {"tests/test_mixed.py": source})
    plan = plan_of(root)
    (split,) = ops(plan, "split").values()
    assert split.apply, split.hazards
    (register,) = ops(plan, "register").values()
    assert register.apply  # a plan with splits only still registers their markers
    changes = build_changes(root, plan)
    for _, part in split.parts:
        assert b"DATA = Path(__file__).parents[1] / 'data.txt'\n" in changes.writes[part]
    assert changes.writes["pytest.ini"].count(b"tier (registered by test-auditor migrate)") == 2


def test_a_split_of_a_module_marked_with_a_tier_is_held_back(tmp_path):
    marked = MIXED.replace("LIMIT = 3", "LIMIT = 3\npytestmark = pytest.mark.unit")
    root = suite(tmp_path, {"tests/test_mixed.py": marked})
    (split,) = ops(plan_of(root), "split").values()
    assert not split.apply
    assert "the module's `pytestmark` names `unit`: every part would carry it" in split.hazards
