"""Module names and import resolution without importing: which file a module name is,
and what a name in a module's namespace refers to."""

from __future__ import annotations

from pathlib import Path

from auditor.model.imports import ModuleIndex, module_name, package_root
from auditor.parse import ModuleSummary, ParseFailure, parse_bytes
from auditor.testing import write_tree


class Loader:
    """Summaries of files as the index asks for them, remembering which it read."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.read: list[str] = []

    def __call__(self, path: Path) -> ModuleSummary | ParseFailure | None:
        if not path.is_file():
            return None
        self.read.append(path.relative_to(self.root).as_posix())
        return parse_bytes(path.name, path.read_bytes())


def index_of(
    root: Path, files: dict[str, str], *, wanted: frozenset[str] | None = None
) -> tuple[ModuleIndex, Loader]:
    """An index whose test tree is `root`/tests and whose search roots are `root` and
    `root`/src, as `build_suite` makes it for such a suite."""
    write_tree(root, files)
    loader = Loader(root)
    index = ModuleIndex([root / "tests"], [root, root / "src"], loader, wanted=wanted)
    return index, loader


def where(index: ModuleIndex, path: Path) -> dict[str, tuple[str, str]]:
    """name -> (file name, def or class name) of a module's namespace."""
    return {name: (t.path.name, t.obj.name) for name, t in index.namespace(path).items()}


def test_module_names_as_prepend_mode_imports_them(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "tests/__init__.py": "",
            "tests/unit/__init__.py": "",
            "tests/unit/test_a.py": "",
            "loose/test_b.py": "",
            "loose/conftest.py": "",
        },
    )
    assert module_name(tmp_path / "tests/unit/test_a.py") == "tests.unit.test_a"
    assert package_root(tmp_path / "tests/unit/test_a.py") == tmp_path
    assert module_name(tmp_path / "tests/unit/__init__.py") == "tests.unit"
    assert module_name(tmp_path / "tests/__init__.py") == "tests"
    # a folder without __init__.py is put on sys.path itself
    assert module_name(tmp_path / "loose/test_b.py") == "test_b"
    assert module_name(tmp_path / "loose/conftest.py") == "conftest"
    assert package_root(tmp_path / "loose/test_b.py") == tmp_path / "loose"


def test_find_absolute_relative_and_packages(tmp_path: Path) -> None:
    index, _ = index_of(
        tmp_path,
        {
            "tests/__init__.py": "",
            "tests/helpers.py": "",
            "tests/unit/__init__.py": "",
            "tests/unit/test_a.py": "",
            "tests/unit/factories/__init__.py": "",
            "src/app/__init__.py": "",
            "src/app/models.py": "",
        },
    )
    test_a = tmp_path / "tests/unit/test_a.py"
    assert index.find("tests.helpers") == tmp_path / "tests/helpers.py"
    assert index.find("app.models") == tmp_path / "src/app/models.py"
    assert index.find("app") == tmp_path / "src/app/__init__.py"
    assert index.find("helpers", importer=test_a, level=2) == tmp_path / "tests/helpers.py"
    assert index.find("factories", importer=test_a, level=1) == (
        tmp_path / "tests/unit/factories/__init__.py"
    )
    assert index.find("", importer=test_a, level=1) == tmp_path / "tests/unit/__init__.py"
    assert index.find("", importer=test_a, level=2) == tmp_path / "tests/__init__.py"
    assert index.find("nothing_here") is None
    assert index.find("helpers", importer=None, level=1) is None
    assert index.find("missing", importer=test_a, level=1) is None


def test_the_importers_own_folder_comes_first(tmp_path: Path) -> None:
    index, _ = index_of(
        tmp_path,
        {"helpers.py": "", "tests/helpers.py": "", "tests/test_a.py": "", "other.py": ""},
    )
    test_a = tmp_path / "tests/test_a.py"  # tests/ has no __init__: it is on sys.path
    assert index.find("helpers", importer=test_a) == tmp_path / "tests/helpers.py"
    assert index.find("helpers") == tmp_path / "helpers.py"
    assert index.find("other", importer=test_a) == tmp_path / "other.py"


def test_from_imports_resolve_to_the_suites_files(tmp_path: Path) -> None:
    index, _ = index_of(
        tmp_path,
        {
            "tests/__init__.py": "",
            "tests/fixtures.py": (
                "import pytest\n\n"
                "@pytest.fixture\ndef db():\n    pass\n\n"
                "@pytest.fixture\ndef cache():\n    pass\n\n"
                "class TestBase:\n    pass\n"
            ),
            "tests/test_a.py": (
                "from tests.fixtures import db\n"
                "from .fixtures import cache as my_cache, TestBase\n"
                "from .fixtures import not_there\n\n"
                "def test_a(db):\n    pass\n\n"
                "same = test_a\n"
            ),
        },
    )
    names = where(index, tmp_path / "tests/test_a.py")
    assert names == {
        "db": ("fixtures.py", "db"),
        "my_cache": ("fixtures.py", "cache"),
        "TestBase": ("fixtures.py", "TestBase"),
        "test_a": ("test_a.py", "test_a"),
        "same": ("test_a.py", "test_a"),
    }
    target = index.namespace(tmp_path / "tests/test_a.py")["db"]
    assert target.path == tmp_path / "tests/fixtures.py"
    assert target.summary.path == "fixtures.py"


def test_later_bindings_win(tmp_path: Path) -> None:
    index, _ = index_of(
        tmp_path,
        {
            "tests/__init__.py": "",
            "tests/fixtures.py": "def db():\n    pass\n",
            "tests/test_a.py": (
                "def test_gone():\n    pass\n\n"
                "test_gone = None\n\n"
                "def db():\n    pass\n\n"
                "from .fixtures import db\n"
            ),
        },
    )
    assert where(index, tmp_path / "tests/test_a.py") == {"db": ("fixtures.py", "db")}


def test_star_imports_follow_all_or_skip_private_names(tmp_path: Path) -> None:
    index, _ = index_of(
        tmp_path,
        {
            "tests/__init__.py": "",
            "tests/with_all.py": (
                "__all__ = ['exported']\n\n"
                "def exported():\n    pass\n\n"
                "def not_exported():\n    pass\n"
            ),
            "tests/without_all.py": "def public():\n    pass\n\ndef _private():\n    pass\n",
            "tests/test_a.py": "from .with_all import *\nfrom tests.without_all import *\n",
        },
    )
    assert where(index, tmp_path / "tests/test_a.py") == {
        "exported": ("with_all.py", "exported"),
        "public": ("without_all.py", "public"),
    }


def test_the_code_under_test_is_never_read(tmp_path: Path) -> None:
    index, loader = index_of(
        tmp_path,
        {
            "src/app/__init__.py": "def test_like():\n    pass\n",
            "src/app/fixtures.py": "import pytest\n\n@pytest.fixture\ndef db():\n    pass\n",
            "tests/test_a.py": (
                "from app import test_like\nfrom app.fixtures import db\nfrom app import *\n"
            ),
        },
    )
    assert where(index, tmp_path / "tests/test_a.py") == {}
    assert loader.read == ["tests/test_a.py"]
    assert index.inside(tmp_path / "tests/test_a.py")
    assert not index.inside(tmp_path / "src/app/fixtures.py")


def test_helpers_nothing_asks_for_are_not_read(tmp_path: Path) -> None:
    files = {
        "tests/__init__.py": "",
        "tests/util.py": "def make_user():\n    pass\n",
        "tests/test_a.py": "from .util import make_user\n",
    }
    index, loader = index_of(tmp_path, files, wanted=frozenset({"db"}))
    assert where(index, tmp_path / "tests/test_a.py") == {}
    assert "tests/util.py" not in loader.read
    # a wanted name (a parameter, a usefixtures name, a base class) is followed
    index, _ = index_of(tmp_path, files, wanted=frozenset({"make_user"}))
    assert where(index, tmp_path / "tests/test_a.py") == {"make_user": ("util.py", "make_user")}
    # and so is everything when nothing says what is wanted
    index, _ = index_of(tmp_path, files)
    assert where(index, tmp_path / "tests/test_a.py") == {"make_user": ("util.py", "make_user")}


def test_a_plugin_package_follows_its_relative_imports_only(tmp_path: Path) -> None:
    index, _ = index_of(
        tmp_path,
        {
            "tests/test_a.py": "",
            "plugin_pkg/__init__.py": "",
            "plugin_pkg/fixtures.py": "import pytest\n\n@pytest.fixture\ndef db():\n    pass\n",
            "plugin_pkg/plugin.py": (
                "from .fixtures import db\nfrom plugin_pkg.fixtures import db as absolute\n"
            ),
        },
    )
    assert where(index, tmp_path / "plugin_pkg/plugin.py") == {"db": ("fixtures.py", "db")}


def test_import_cycles_end(tmp_path: Path) -> None:
    index, _ = index_of(
        tmp_path,
        {
            "tests/__init__.py": "",
            "tests/a.py": "from .b import *\n\ndef from_a():\n    pass\n",
            "tests/b.py": "from .a import *\n\ndef from_b():\n    pass\n",
        },
    )
    assert where(index, tmp_path / "tests/a.py") == {
        "from_b": ("b.py", "from_b"),
        "from_a": ("a.py", "from_a"),
    }
