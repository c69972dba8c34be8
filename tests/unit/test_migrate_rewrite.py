"""`migrate`'s rewrites: imports, `mock.patch` strings, relative imports and `__file__`
paths of and in moved modules, every other byte kept; what cannot be rewritten holds the
move back with the hazard named."""

from __future__ import annotations

from pathlib import Path

from auditor.migrate.edits import build_changes
from auditor.migrate.names import Moves
from auditor.migrate.rewrite import rewrite_module
from tests.unit.migrate_support import ops, plan_of, write_suite

INITS = frozenset({"tests/unit/__init__.py", "tests/unit/api/__init__.py"})
MOVES = {"tests/api/test_x.py": "tests/unit/api/test_x.py"}


def package(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    return write_suite(tmp_path, {"tests/__init__.py": "", "tests/api/__init__.py": "", **files})


def test_importers_and_patch_strings_get_the_new_name(tmp_path: Path) -> None:
    importer = (
        "# keep   this   spacing\r\n"
        "from tests.api.test_x import VALUE  # the value\r\n"
        "import tests.api.test_x as tx\r\n"
        "from tests.api import test_x, helpers2\r\n"
        "from unittest import mock\r\n\r\n"
        "def test_y():\r\n"
        "    with mock.patch('tests.api.test_x.VALUE', 2):\r\n"
        "        assert tx.VALUE == 2\r\n"
    )
    root = package(tmp_path, {"tests/api/test_x.py": "VALUE = 1\n", "tests/api/helpers2.py": ""})
    moves = Moves(root, MOVES, INITS)
    done = rewrite_module(importer.encode(), "tests/api/test_y.py", moves)
    text = done.data.decode()
    assert text.startswith(
        "# keep   this   spacing\r\nfrom tests.unit.api.test_x import VALUE  # the value\r\n"
        "import tests.unit.api.test_x as tx\r\n"
    )
    assert "mock.patch('tests.unit.api.test_x.VALUE', 2)" in text
    # one statement naming a moved and a kept module cannot be renamed: a hazard, on the move
    assert done.hazards == [
        (
            "`from tests.api import ...` names moved and kept modules (line 4)",
            "tests/api/test_x.py",
        )
    ]


def test_relative_imports_of_a_moved_module_are_computed_again(tmp_path: Path) -> None:
    source = "from .helpers import make\nfrom ..conftest_data import ROWS\n"
    root = package(tmp_path, {"tests/api/helpers.py": "", "tests/conftest_data.py": ""})
    done = rewrite_module(source.encode(), "tests/api/test_x.py", Moves(root, MOVES, INITS))
    assert done.data.decode() == (
        "from ...api.helpers import make\nfrom ...conftest_data import ROWS\n"
    )
    assert not done.hazards


def test_file_relative_paths_point_at_the_same_folder(tmp_path: Path) -> None:
    source = (
        "import os\nfrom pathlib import Path\n"
        "A = Path(__file__).parent / 'data'\n"
        "B = Path(__file__).resolve().parents[1]\n"
        "C = os.path.dirname(os.path.abspath(__file__))\n"
        "D = os.path.dirname(os.path.dirname(__file__))\n"
    )
    root = package(tmp_path, {})
    done = rewrite_module(source.encode(), "tests/api/test_x.py", Moves(root, MOVES, INITS))
    assert done.data.decode().splitlines()[2:] == [
        "A = (Path(__file__).parents[2] / \"api\") / 'data'",
        "B = Path(__file__).resolve().parents[2]",
        "C = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname("
        'os.path.abspath(__file__)))), "api")',
        "D = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))",
    ]


def test_a_latin1_module_keeps_its_encoding_when_rewritten(tmp_path: Path) -> None:
    source = "# -*- coding: latin-1 -*-\r\nfrom tests.api.test_x import V  # caf\u00e9\r\n"
    root = package(tmp_path, {"tests/api/test_x.py": "V = 1\n"})
    done = rewrite_module(
        source.encode("latin-1"), "tests/api/test_y.py", Moves(root, MOVES, INITS)
    )
    assert done.data == source.replace("tests.api", "tests.unit.api").encode("latin-1")


def test_the_plan_rewrites_importers_and_moves_the_module(tmp_path: Path) -> None:
    root = package(
        tmp_path,
        {
            "tests/api/test_base.py": "VALUE = 1\n\n\ndef test_v():\n    assert VALUE\n",
            "tests/api/test_user.py": "import sqlite3\n\nfrom tests.api.test_base import VALUE"
            "\n\n\ndef test_u(tmp_path):\n    sqlite3.connect(str(tmp_path / 'x.db'))\n"
            "    assert VALUE\n",
        },
    )
    plan = plan_of(root)
    moves = ops(plan, "move")
    assert moves["tests/api/test_base.py"].apply, moves["tests/api/test_base.py"].hazards
    assert moves["tests/api/test_user.py"].apply
    rewrite = ops(plan, "rewrite")["tests/api/test_user.py"]
    assert "from tests.api.test_base -> from tests.unit.api.test_base" in rewrite.evidence
    written = build_changes(root, plan).writes["tests/integration/api/test_user.py"]
    assert b"from tests.unit.api.test_base import VALUE\n" in written


def test_an_import_binding_the_old_name_holds_the_move_back(tmp_path: Path) -> None:
    root = package(
        tmp_path,
        {
            "tests/api/test_base.py": "VALUE = 1\n\n\ndef test_v():\n    assert VALUE\n",
            "tests/api/test_user.py": "import tests.api.test_base\n\n\ndef test_u():\n"
            "    assert tests.api.test_base.VALUE\n",
        },
    )
    move = ops(plan_of(root), "move")["tests/api/test_base.py"]
    assert not move.apply
    assert (
        "tests/api/test_user.py: `import tests.api.test_base` binds the old name: cannot "
        "rename it (line 1)" in move.hazards
    )


def test_a_renamed_module_keeps_its_binding_in_from_imports(tmp_path: Path) -> None:
    root = package(tmp_path, {"tests/test_helpers.py": "def make():\n    return 1\n"})
    moves = Moves(root, {"tests/test_helpers.py": "tests/helpers.py"})
    done = rewrite_module(
        b"from tests import test_helpers\nfrom . import test_helpers as th\n",
        "tests/test_user.py",
        moves,
    )
    assert done.data == (
        b"from tests import helpers as test_helpers\nfrom . import helpers as th\n"
    )
    assert not done.hazards


def test_relative_imports_of_moved_modules_follow_them(tmp_path: Path) -> None:
    root = package(tmp_path, {"tests/api/test_x.py": "", "tests/api/test_z.py": ""})
    both = {**MOVES, "tests/api/test_z.py": "tests/unit/api/test_z.py"}
    done = rewrite_module(
        b"from . import test_x, test_z\n", "tests/api/test_y.py", Moves(root, both, INITS)
    )
    assert done.data == b"from ..unit.api import test_x, test_z\n"
    # one module moved, the other kept: they end up in two packages
    kept = rewrite_module(
        b"from . import test_x, test_z\n", "tests/api/test_y.py", Moves(root, MOVES, INITS)
    )
    assert kept.hazards == [
        (
            "`from . import` modules that end up in other packages (line 1)",
            "tests/api/test_x.py",
        )
    ]
