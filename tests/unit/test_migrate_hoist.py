"""`migrate plan`'s `hoist`: a fixture duplicated across test modules goes into the
nearest common conftest and the copies go, only when every test keeps the same fixture
(proven on the planned tree); otherwise held back with the hazard named. Also the other
operations and steps added with it: where an added import goes (`migrate.imports`),
`check`'s safe fixes as `codemod` operations, which folders a migration removes, and the
stale references it reports."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from auditor.migrate.edits import build_changes
from auditor.migrate.emptied import emptied_folders
from auditor.migrate.hoist import prepare
from auditor.migrate.hoist_edits import Hoisted, with_fixture
from auditor.migrate.imports import Kinds, add_import
from auditor.migrate.plan_file import Operation, Plan, read, write
from auditor.migrate.stale import stale_references
from tests.unit.migrate_support import plan_of, write_suite

FIXTURE = "@pytest.fixture\ndef project(tmp_path):\n    return Project(str(tmp_path), LIMIT)\n"
HEAD = "import pytest\n\nfrom shop.models import Project, LIMIT\n\n\n"


def suite(tmp_path: Path, files: dict[str, str]) -> Path:
    files = {
        "shop/__init__.py": "",
        "shop/models.py": "LIMIT = 3\n\n\nclass Project:\n    def __init__(self, *a):\n"
        "        self.a = a\n",
        "shop/other.py": "LIMIT = 4\n\n\nclass Project:\n    def __init__(self, *a):\n"
        "        self.a = a\n",
        "tests/conftest.py": '"""Shared fixtures."""\n\nimport os\n\nimport pytest\n\n\n'
        "@pytest.fixture\ndef home():\n    return os.sep\n",
        **files,
    }
    return write_suite(tmp_path, files)


def hoists(plan: Plan) -> list[Operation]:
    return [op for op in plan.operations if op.kind == "hoist"]


def two_copies(
    head: str = HEAD, fixture: str = FIXTURE, other: str | None = None
) -> dict[str, str]:
    return {
        "tests/test_a.py": f"{head}{fixture}\n\ndef test_a(project):\n    assert project.a\n",
        "tests/test_b.py": f"{other or head}{fixture}\n\ndef test_b(project):\n"
        "    assert project.a\n",
    }


def test_a_duplicated_fixture_goes_to_the_conftest_with_its_imports(tmp_path: Path) -> None:
    root = suite(tmp_path, two_copies())
    plan = plan_of(root)
    (hoist,) = hoists(plan)
    assert hoist.apply, hoist.hazards
    assert hoist.path == "tests/conftest.py"
    assert hoist.copies == ("tests/test_a.py", "tests/test_b.py")
    changes = build_changes(root, plan)
    # both modules move to tests/unit/, and the conftest goes with them
    conftest = changes.writes[plan.new_path("tests/conftest.py")].decode()
    assert plan.new_path("tests/conftest.py") == "tests/unit/conftest.py"
    assert conftest.startswith(
        '"""Shared fixtures."""\n\nimport os\n\nimport pytest\n\n'
        "from shop.models import LIMIT, Project\n"
    )
    assert conftest.endswith("\n\n\n" + FIXTURE)
    for module in ("test_a.py", "test_b.py"):
        final = plan.new_path(f"tests/{module}")
        assert b"def project" not in changes.writes[final]
        assert b"def test_" in changes.writes[final]


def test_a_model_class_of_the_module_holds_the_hoist_back(tmp_path: Path) -> None:
    local = (
        "import pytest\n\nLIMIT = 3\n\n\nclass Project:\n    def __init__(self, *a):\n"
        "        self.a = a\n\n\n"
    )
    root = suite(tmp_path, two_copies(head=local))
    # TA503 no longer calls copies over each module's own class one fixture, so no
    # hoist is planned; one planned would have to be held back with the hazard named.
    found = hoists(plan_of(root))
    assert not [hoist for hoist in found if hoist.apply]
    for hoist in found:
        assert any("uses `Project`, defined in tests/test_a.py" in h for h in hoist.hazards)


def test_the_same_code_over_other_imported_objects_is_held_back(tmp_path: Path) -> None:
    other = "import pytest\n\nfrom shop.other import Project, LIMIT\n\n\n"
    root = suite(tmp_path, two_copies(other=other))
    found = hoists(plan_of(root))  # none planned, since TA503 tells them apart
    assert not [op for op in found if op.apply]
    for op in found:
        assert any("resolve to other objects" in h for h in op.hazards)


def test_a_session_scoped_copy_is_held_back(tmp_path: Path) -> None:
    fixture = FIXTURE.replace("@pytest.fixture", '@pytest.fixture(scope="session")').replace(
        "tmp_path", "tmp_path_factory"
    )
    root = suite(tmp_path, two_copies(fixture=fixture))
    (hoist,) = hoists(plan_of(root))
    assert not hoist.apply
    assert "`project` is session-scoped: one instance per module would become one for all" in (
        hoist.hazards
    )


def test_an_autouse_copy_other_tests_would_get_is_held_back_by_the_proof(tmp_path: Path) -> None:
    fixture = FIXTURE.replace("@pytest.fixture", "@pytest.fixture(autouse=True)")
    files = two_copies(fixture=fixture)
    files["tests/test_c.py"] = "def test_c():\n    assert True\n"
    root = suite(tmp_path, files)
    (hoist,) = hoists(plan_of(root))
    assert not hoist.apply
    assert any(
        h.startswith("tests/test_c.py::test_c would resolve other fixtures") for h in hoist.hazards
    ), hoist.hazards


def test_a_conftest_that_binds_a_name_otherwise_holds_the_hoist_back(tmp_path: Path) -> None:
    root = suite(tmp_path, two_copies())
    conftest = root / "tests/conftest.py"
    conftest.write_text(conftest.read_text() + "\n\nLIMIT = 10\n")
    (hoist,) = hoists(plan_of(root))
    assert not hoist.apply
    assert any("tests/conftest.py binds `LIMIT` otherwise" in h for h in hoist.hazards)


def test_an_import_goes_in_its_block_after_future_imports() -> None:
    def added(source: str, line: str) -> str:
        module = add_import(cst.parse_module(source), line, lambda top: top == "shop")
        return module.code

    assert added(
        '"""Doc."""\n\nfrom __future__ import annotations\n\nimport os\n\nfrom shop import x\n',
        "import pytest",
    ) == (
        '"""Doc."""\n\nfrom __future__ import annotations\n\nimport os\n\nimport pytest\n\n'
        "from shop import x\n"
    )
    assert added("import os\nimport sys\n\nimport attr\nimport yaml\n", "import pytest") == (
        "import os\nimport sys\n\nimport attr\nimport pytest\nimport yaml\n"
    )
    assert added("from shop import x\n\n\ndef f():\n    pass\n", "import pytest") == (
        "import pytest\n\nfrom shop import x\n\n\ndef f():\n    pass\n"
    )
    assert added('"""Doc."""\n\n\ndef f():\n    pass\n', "import pytest") == (
        '"""Doc."""\n\nimport pytest\n\n\ndef f():\n    pass\n'
    )


def test_copies_reading_names_from_other_modules_are_other_fixtures(tmp_path: Path) -> None:
    other = "import pytest\n\nfrom shop.other import Project, LIMIT\n\n\n"
    root = suite(tmp_path, two_copies(other=other))
    op = Operation(
        id="hoist-001",
        kind="hoist",
        path="tests/conftest.py",
        name="project",
        copies=("tests/test_a.py", "tests/test_b.py"),
    )
    prepared = prepare(root, op)
    assert prepared.hoisted is None
    assert prepared.hazards == [
        "the names in `project` resolve to other objects in tests/test_a.py and "
        "tests/test_b.py (from shop.models import LIMIT, from shop.models import Project, "
        "from shop.other import LIMIT, from shop.other import Project): other fixtures"
    ]


def test_the_proof_holds_back_a_hoist_whose_written_code_differs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from auditor.migrate import edits

    def wrong(conftest: bytes, hoisted: Hoisted, name: str, first_party: Kinds) -> bytes:
        data = with_fixture(conftest, hoisted, name, first_party)
        return data.replace(b"LIMIT)", b"LIMIT + 1)")

    root = suite(tmp_path, two_copies())
    monkeypatch.setattr(edits, "with_fixture", wrong)
    (hoist,) = hoists(plan_of(root))
    assert not hoist.apply
    assert any(
        "`project` from tests/unit/conftest.py" in h and "other code" in h for h in (hoist.hazards)
    ), hoist.hazards


def test_only_folders_the_moves_emptied_are_removed(tmp_path: Path) -> None:
    for name, content in {
        "tests/api/__init__.py": "",
        "tests/api/sub/__init__.py": "",
        "tests/kept/__init__.py": "VALUE = 1\n",
        "tests/never/__init__.py": "",
        "tests/other/__init__.py": "",
        "tests/other/data.json": "{}",
    }.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)
    moved_from = ["tests/api/sub/test_a.py", "tests/kept/test_b.py", "tests/other/test_c.py"]
    assert emptied_folders(tmp_path, moved_from) == ["tests/api/sub", "tests/api"]


ENVIRON = (
    "import os\n\nimport pytest\n\n\n"
    "@pytest.fixture\ndef server():\n    server = object()\n    return server\n    del server\n\n\n"
    "def test_env(server):\n    os.environ['MODE'] = 'test'\n    assert os.environ['MODE']\n"
)


def test_the_safe_fixes_of_check_are_codemod_operations(tmp_path: Path) -> None:
    root = suite(tmp_path, {"tests/test_env.py": ENVIRON})
    plan = plan_of(root)
    codemods = {op.evidence[0][:5]: op for op in plan.operations if op.kind == "codemod"}
    assert sorted(codemods) == ["TA211", "TA301"]
    safe, unsafe = codemods["TA301"], codemods["TA211"]
    assert safe.apply, safe.hazards
    assert dict(safe.options) == {"function": "test_env"}
    assert not unsafe.apply
    assert unsafe.hazards[0].startswith("an unsafe fix")
    written = build_changes(root, plan).writes[plan.new_path("tests/test_env.py")]
    assert b"def test_env(server, monkeypatch):\n    monkeypatch.setenv('MODE', 'test')\n" in (
        written
    )
    assert b"return server\n    del server" in written  # the unsafe one is not applied
    file = tmp_path / "plan.toml"
    write(plan, file)
    again = read(file)
    assert [op for op in again.operations if op.kind in ("codemod", "hoist")] == [
        op for op in plan.operations if op.kind in ("codemod", "hoist")
    ]
    assert build_changes(root, again).writes == build_changes(root, plan).writes


def test_stale_references_name_the_config_lines_with_old_paths(tmp_path: Path) -> None:
    (tmp_path / "setup.cfg").write_text(
        "[coverage:run]\nomit =\n    tests/test_old.py\n    tests/test_kept.py\n"
    )
    (tmp_path / ".test_durations").write_text('{"tests/test_old.py::test_a": 0.1}\n')
    (tmp_path / "notes.txt").write_text("tests/test_old.py\n")  # not a config file
    plan = Plan(
        rootdir=tmp_path,
        operations=(
            Operation(id="move-001", kind="move", path="tests/test_old.py", target="tests/unit/"
                      "test_old.py"),
        ),
    )  # fmt: skip
    assert stale_references(plan) == [
        ".test_durations:1: names `tests/test_old.py` (now tests/unit/test_old.py)",
        "setup.cfg:3: names `tests/test_old.py` (now tests/unit/test_old.py)",
    ]


def test_a_copy_another_module_imports_by_name_is_held_back(tmp_path: Path) -> None:
    files = two_copies()
    files["tests/__init__.py"] = ""
    files["tests/test_c.py"] = (
        "from tests.test_a import project\n\n\ndef test_c(project):\n    assert project.a\n"
    )
    root = suite(tmp_path, files)
    found = [op for op in hoists(plan_of(root)) if set(op.copies) >= {"tests/test_a.py"}]
    assert found
    assert all(not op.apply for op in found)
    assert any(
        "tests/test_c.py imports `project` from tests/test_a.py (line 1)" in op.hazards
        for op in found
    ), [op.hazards for op in found]


def test_imports_only_a_deleted_copy_read_go_with_it(tmp_path: Path) -> None:
    """After the hoist, `Project` and `LIMIT` are read by nothing left in the modules:
    their import goes (ruff would call it unused); `os` is still read and stays."""
    head = "import os\n\nimport pytest\n\nfrom shop.models import Project, LIMIT\n\n\n"
    tail = "\n\ndef test_sep_{}():\n    assert os.sep\n"
    files = {path: text + tail.format(path[-4]) for path, text in two_copies(head=head).items()}
    root = suite(tmp_path, files)
    plan = plan_of(root)
    (hoist,) = hoists(plan)
    assert hoist.apply, hoist.hazards
    changes = build_changes(root, plan)
    for module in ("test_a.py", "test_b.py"):
        text = changes.writes[plan.new_path(f"tests/{module}")].decode()
        assert "from shop.models" not in text
        assert text.startswith("import os\n\nimport pytest\n")
        assert "def project" not in text


def test_an_import_the_rest_of_the_module_reads_stays() -> None:
    """Kept: what other code reads (`sys`), what `__all__` names, a name a function takes
    as a parameter (an imported fixture it requests). The file keeps its encoding."""
    from auditor.migrate.hoist_edits import without_fixture

    source = (
        "# -*- coding: latin-1 -*-\nimport json, sys\nfrom pathlib import Path as P, PurePath\n"
        "from shop import helper\n__all__ = ['PurePath']\n\n\n@fixture\ndef data():\n"
        "    return json.loads(P('x').read_text()), sys.argv, PurePath, helper\n\n\n"
        "def test_x(data, helper):\n    assert sys.argv and data  # caf\xe9\n"
    ).encode("latin-1")
    result = without_fixture(source, "data").decode("latin-1")
    assert result == (
        "# -*- coding: latin-1 -*-\nimport sys\nfrom pathlib import PurePath\n"
        "from shop import helper\n__all__ = ['PurePath']\n\n\n"
        "def test_x(data, helper):\n    assert sys.argv and data  # caf\xe9\n"
    )
