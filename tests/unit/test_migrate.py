"""`migrate plan`/`diff`: the planner, the static proof and its hazards, the edits and the
plan file, on small suites built in tmp_path (nothing here runs pytest)."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.config import ConfigError, load_config
from auditor.migrate.diff import render_diff
from auditor.migrate.edits import EditError, build_changes, mark_module, register_markers
from auditor.migrate.layout import target_of
from auditor.migrate.plan import make_plan
from auditor.migrate.plan_file import Operation, Plan, StalePlan, check_fresh, read, render
from auditor.model.build import BuildOptions
from auditor.settings import MigrateSettings

TIERS = ("unit", "integration", "performance")

UNIT = "def test_add():\n    assert 1 + 1 == 2\n"
INTEGRATION = (
    "import sqlite3\n\n\ndef test_db(tmp_path):\n"
    "    sqlite3.connect(str(tmp_path / 'x.db')).close()\n"
)


def suite(tmp_path: Path, files: dict[str, str | bytes], ini: str = "") -> Path:
    (tmp_path / "pytest.ini").write_text(f"[pytest]\ntestpaths = tests\n{ini}")
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return tmp_path


def plan_of(root: Path) -> Plan:
    config = load_config([], invocation_dir=root)
    return make_plan(config, [], build=BuildOptions(use_cache=False), invocation_dir=root)


def ops(plan: Plan, kind: str) -> dict[str, Operation]:
    return {op.path: op for op in plan.operations if op.kind == kind}


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


def test_a_module_spanning_tiers_is_a_split_held_back(tmp_path):
    root = suite(tmp_path, {"tests/test_mixed.py": UNIT + "\n\n" + INTEGRATION})
    plan = plan_of(root)
    (split,) = ops(plan, "split").values()
    assert not split.apply
    assert split.safety == "unsafe"
    assert split.hazards == ("not implemented in this version",)
    assert dict(split.tiers) == {"integration": 1, "unit": 1}
    assert not ops(plan, "move")


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


def test_paths_relative_to_the_module_hold_the_move_back(tmp_path):
    root = suite(
        tmp_path,
        {
            "tests/test_data.py": "from pathlib import Path\n\nDATA = Path(__file__).parent"
            " / 'data.txt'\n\n\ndef test_d():\n    assert DATA.name\n",
        },
    )
    move = ops(plan_of(root), "move")["tests/test_data.py"]
    assert not move.apply
    assert move.hazards == ("uses `__file__` (line 3): paths relative to the module change",)


def test_a_conftest_fixture_the_move_would_hide_holds_it_back(tmp_path):
    root = suite(
        tmp_path,
        {
            "tests/api/conftest.py": "import pytest\n\n\n@pytest.fixture\ndef token():\n"
            "    return 't'\n",
            "tests/api/test_token.py": "def test_t(token):\n    assert token\n",
        },
    )
    move = ops(plan_of(root), "move")["tests/api/test_token.py"]
    assert not move.apply
    assert any("loses `token` from tests/api/conftest.py" in h for h in move.hazards)
    # its mark does not need the move: it applies in place
    assert ops(plan_of(root), "mark")["tests/api/test_token.py"].apply


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
