"""TA309 write-outside-tmp."""

from __future__ import annotations

import ast
import re
import weakref
from collections.abc import Iterator

from auditor.api import (
    FileView,
    Finding,
    FunctionView,
    Invalid,
    Rule,
    SuiteView,
    Valid,
    walk_local,
)

from ._common import checked, where
from ._mutations import split_module
from ._resources import ENGINE_NAMES, in_memory
from ._syntax import call_name

DB_FILE_KEYWORDS = frozenset({"filename", "database", "db_path", "db_file", "dbfile", "path"})
NOT_OPENING = re.compile(r"url|mock|patch|^create$|^parse", re.IGNORECASE)
SQLITE_PREFIXES = ("sqlite:///", "sqlite+pysqlite:///", "sqlite+aiosqlite:///")
WRITE_MODES = frozenset("wax+")
PATH_WRITES = frozenset({"write_text", "write_bytes", "touch"})
REMOVALS = frozenset({"remove", "unlink", "rmtree", "rmdir"})
DEFAULTS = frozenset({"os.environ.get", "os.getenv"})
SUBPROCESS_CALLS = frozenset(
    {f"subprocess.{n}" for n in ("run", "call", "check_call", "check_output", "Popen")}
)

_WRITE_WORDS = ("open(", "write_", "touch(", "sqlite", "coverage", ".db")
"""Words without which a file writes nothing this rule could report."""


def _relative(path: str) -> bool:
    return bool(path) and not path.startswith(("/", "~", "\\")) and path not in ("-", ":memory:")


def _sqlite_path(url: str) -> str | None:
    """The file path of a SQLite URL (None for other URLs and in-memory ones)."""
    for prefix in SQLITE_PREFIXES:
        if url.startswith(prefix) and not in_memory(url.replace(prefix, "sqlite:///", 1)):
            path = url[len(prefix) :].split("?", 1)[0]
            return None if path.startswith("file:") else path
    return None


class _Paths:
    """Which expressions of one function name a path in the project: a relative
    literal (the working directory, the project root under pytest) or a path built
    from `__file__` (the test's own folder)."""

    def __init__(self, file: FileView, view: FunctionView | None) -> None:
        self.file = file
        self.view = view
        self.bound: dict[str, ast.expr] = {}
        scopes: list[ast.AST] = [file.tree] if view is None else [view.node]
        for scope in scopes:
            nodes = walk_local(scope) if view is not None else iter(file.tree.body)
            for node in nodes:
                if isinstance(node, ast.Assign) and len(node.targets) == 1:
                    target = node.targets[0]
                    if isinstance(target, ast.Name):
                        self.bound.setdefault(target.id, node.value)
        if view is not None and view.cls is not None:
            for node in view.cls.body:
                if isinstance(node, ast.Assign) and len(node.targets) == 1:
                    target = node.targets[0]
                    if isinstance(target, ast.Name):
                        self.bound.setdefault(f"self.{target.id}", node.value)

    def project(self, node: ast.AST, depth: int = 0) -> bool:
        if depth > 3:
            return False
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return _relative(node.value) and "\n" not in node.value
        if isinstance(node, ast.Call) and call_name(node) == "Path" and node.args:
            return self.project(node.args[0], depth + 1)
        names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        if "__file__" in names:
            return not any("tmp" in n.lower() or "temp" in n.lower() for n in names)
        key = ast.unparse(node) if isinstance(node, (ast.Name, ast.Attribute)) else None
        if key is not None and key in self.bound:
            return self.project(self.bound[key], depth + 1)
        if isinstance(node, ast.Call) and call_name(node) == "join" and node.args:
            return self.project(node.args[0], depth + 1) and not self._absolute_part(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            return self.project(node.left, depth + 1)
        return False

    @staticmethod
    def _absolute_part(call: ast.Call) -> bool:
        return any(
            isinstance(a, ast.Constant) and isinstance(a.value, str) and a.value.startswith("/")
            for a in call.args[1:]
        )


def _mode(call: ast.Call, index: int) -> str:
    mode: ast.expr | None = call.args[index] if len(call.args) > index else None
    for keyword in call.keywords:
        if keyword.arg == "mode":
            mode = keyword.value
    return mode.value if isinstance(mode, ast.Constant) and isinstance(mode.value, str) else ""


def _writes(root: ast.AST, paths: _Paths, file: FileView) -> Iterator[tuple[ast.AST, str]]:
    """(node, what) for each write into the project in `root`'s own code."""
    calls = file.of_type(ast.Call) if root is file.tree else ast.walk(root)
    removed = {
        ast.unparse(a)
        for n in calls
        if isinstance(n, ast.Call) and call_name(n) in REMOVALS
        for a in (*n.args[:1], *([n.func.value] if isinstance(n.func, ast.Attribute) else []))
    }
    dead = _dead_code(root, paths, file)
    for node in walk_local(root) if root is not file.tree else _module_nodes(file):
        if not isinstance(node, ast.Call) or id(node) in dead:
            continue
        name = call_name(node)
        target: ast.expr | None = None
        if isinstance(node.func, ast.Name) and name == "open" and node.args:
            if WRITE_MODES & set(_mode(node, 1)):
                target = node.args[0]
        elif isinstance(node.func, ast.Attribute) and (
            name in PATH_WRITES or (name == "open" and WRITE_MODES & set(_mode(node, 0)))
        ):
            target = node.func.value
        if target is not None:
            if name == "touch" and _existing_project_file(target, file):
                continue  # a new modification time for a file already there: nothing left
            if paths.project(target) and ast.unparse(target) not in removed:
                yield node, f"`{ast.unparse(node.func)}({ast.unparse(target)}...)`"
            continue
        if (name in ENGINE_NAMES or file.qualified(node.func) == "sqlite3.connect") and node.args:
            url = _url_text(node.args[0], paths)
            if url is not None:
                yield node, f"the SQLite file `{url}`"
            continue
        keyword = _db_file_keyword(node, paths)
        if keyword is not None:
            yield node, f"the SQLite file `{keyword}`"
            continue
        if _coverage_run_in_project(node, paths, file):
            yield node, "coverage's data files (`.coverage.*` of `coverage run`)"


def _existing_project_file(node: ast.AST, file: FileView) -> bool:
    """Whether `node` is a literal relative path (``Path("tests") / "test_watch.py"``)
    naming a file that is already in the project."""

    def literal(node: ast.AST) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Call) and call_name(node) == "Path" and len(node.args) == 1:
            return literal(node.args[0])
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            left, right = literal(node.left), literal(node.right)
            return None if left is None or right is None else f"{left}/{right}"
        return None

    path = literal(node)
    if path is None or not _relative(path):
        return False
    return (file.suite.rootdir / path).is_file()


def _db_file_keyword(node: ast.Call, paths: _Paths) -> str | None:
    """A relative database file handed to a store by keyword
    (``SqliteHuey(filename="huey.db")``, ``Store(db_path="cache.sqlite")``); not a URL
    being built (``URL.create(database="x.db")``) nor a mock."""
    if NOT_OPENING.search(call_name(node)) or not isinstance(node.func, (ast.Name, ast.Attribute)):
        return None
    for keyword in node.keywords:
        if keyword.arg in DB_FILE_KEYWORDS:
            url = _url_text(keyword.value, paths)
            if url is not None and not url.startswith(SQLITE_PREFIXES):
                return url
    return None


def _coverage_run_in_project(node: ast.Call, paths: _Paths, file: FileView) -> bool:
    """``subprocess.run(["coverage", "run", ...], cwd=<the project>)``: coverage writes
    its data file into the working directory, the project root when no `cwd` is given,
    unless `env` names another ``COVERAGE_FILE``."""
    if file.qualified(node.func) not in SUBPROCESS_CALLS or not node.args:
        return False
    command = node.args[0]
    if not isinstance(command, (ast.List, ast.Tuple)):
        return False
    words = [e.value for e in command.elts if isinstance(e, ast.Constant)]
    if words[:2] != ["coverage", "run"]:
        return False
    keywords = {k.arg: k.value for k in node.keywords if k.arg}
    if "env" in keywords and "COVERAGE_FILE" in ast.unparse(keywords["env"]):
        return False
    cwd = keywords.get("cwd")
    return cwd is None or paths.project(cwd)


_PROJECT_IMPORTS: weakref.WeakKeyDictionary[FileView, frozenset[str]] = weakref.WeakKeyDictionary()
_CALLEE_WRITES: weakref.WeakKeyDictionary[
    SuiteView, dict[str, tuple[FileView, FunctionView, str] | None]
] = weakref.WeakKeyDictionary()


def _project_imports(file: FileView) -> frozenset[str]:
    """The names the file imports from the project that name a module or a function
    (``test_mod`` of ``from docs_src.tutorial001 import test_main as test_mod``), outside
    the suite's own test modules and conftests."""
    found = _PROJECT_IMPORTS.get(file)
    if found is None:
        names: set[str] = set()
        for local, qualified in file.imports.items():
            if "." not in qualified:
                continue
            module = file.suite.project_module(qualified)
            if module is None:  # not a module: a function of one (classes are not followed)
                split = split_module(file.suite, qualified)
                if split is None or len(split[1]) != 1:
                    continue
                module = split[0]
                if not isinstance(
                    module.top_level(split[1][0]), (ast.FunctionDef, ast.AsyncFunctionDef)
                ):
                    continue
            if module.path == file.path or module.path in file.suite.test_files:
                continue
            if not module.is_conftest:
                names.add(local)
        found = _PROJECT_IMPORTS[file] = frozenset(names)
    return found


def _callee_writes(file: FileView, qualified: str) -> tuple[FileView, FunctionView, str] | None:
    """The first write into the project of the project function `qualified`, if any
    (each function read once a run)."""
    known = _CALLEE_WRITES.setdefault(file.suite, {})
    if qualified in known:
        return known[qualified]
    found: tuple[FileView, FunctionView, str] | None = None
    split = split_module(file.suite, qualified)
    if split is not None and len(split[1]) == 1:
        module, (name,) = split
        definition = module.top_level(name)
        if isinstance(definition, (ast.FunctionDef, ast.AsyncFunctionDef)):
            callee = next((v for v in module.functions if v.node is definition), None)
            if callee is not None and not _in_temporary_folder(callee, module):
                for _, what in _writes(definition, _Paths(module, callee), module):
                    found = (module, callee, what)
                    break
    known[qualified] = found
    return found


def _called_writes(
    file: FileView, project: frozenset[str]
) -> dict[int, tuple[str, FileView, FunctionView, str]]:
    """The calls of the file (by node id) of a function of another project module that
    writes into the project (``test_mod.test_create_hero()`` of an example's test module
    that opens ``sqlite:///testing.db``): the callee's name, its file, its def and what
    it writes. Only names `file` imports from the project (`project`) are followed."""
    found: dict[int, tuple[str, FileView, FunctionView, str]] = {}
    for node in file.of_type(ast.Call):
        if not isinstance(node.func, (ast.Name, ast.Attribute)):
            continue
        base: ast.expr = node.func
        while isinstance(base, ast.Attribute):
            base = base.value
        if not isinstance(base, ast.Name) or base.id not in project:
            continue
        qualified = file.qualified(node.func)
        writes = _callee_writes(file, qualified) if qualified is not None else None
        if writes is not None:
            found[id(node)] = (ast.unparse(node.func), *writes)
    return found


def _dead_code(root: ast.AST, paths: _Paths, file: FileView) -> set[int]:
    """Nodes under ``if False:`` or ``if flag:`` with ``flag = False`` (code kept to be
    switched on by hand, such as regenerating expected output)."""
    dead: set[int] = set()
    for node in file.of_type(ast.If) if root is file.tree else ast.walk(root):
        if not isinstance(node, ast.If):
            continue
        test: ast.AST = node.test
        if isinstance(test, ast.Name) and test.id in paths.bound:
            test = paths.bound[test.id]
        if isinstance(test, ast.Constant) and not test.value:
            dead.update(id(n) for s in node.body for n in ast.walk(s))
    return dead


def _module_nodes(file: FileView) -> Iterator[ast.AST]:
    for statement in file.tree.body:
        if not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield from ast.walk(statement)


def _url_text(node: ast.AST, paths: _Paths) -> str | None:
    """The relative SQLite file a URL literal (or a name bound to one) opens."""
    if isinstance(node, ast.Name) and node.id in paths.bound:
        node = paths.bound[node.id]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        path = _sqlite_path(node.value)
        if path is not None and _relative(path):
            return node.value
        if (
            "://" not in node.value
            and node.value.endswith((".db", ".sqlite", ".sqlite3"))
            and _relative(node.value)
        ):
            return node.value
    return None


def _fstring_url(node: ast.AST, view: FunctionView, file: FileView) -> str | None:
    """A fixture's ``f"sqlite:///{db_name}.db"`` whose first part is a fixture (or a
    name) that gives a relative name: a literal, or ``os.environ.get(key, "literal")``."""
    if not isinstance(node, ast.JoinedStr) or len(node.values) < 2:
        return None
    head, value = node.values[0], node.values[1]
    if not (
        isinstance(head, ast.Constant)
        and isinstance(head.value, str)
        and head.value in SQLITE_PREFIXES
        and isinstance(value, ast.FormattedValue)
        and isinstance(value.value, ast.Name)
        and value.value.id in view.params
    ):
        return None
    name = value.value.id
    found = False
    for definition in file.suite.suite.fixtures:
        if definition.name != name:
            continue
        other = file.suite.file(definition.path)
        if other is None:
            return None
        body = next((v.node for v in other.functions if v.node.lineno == definition.line), None)
        if body is None:
            return None
        for ret in walk_local(body):
            if isinstance(ret, ast.Return) and ret.value is not None:
                text = _default_text(ret.value, other)
                if text is None or not _relative(text):
                    return None
                found = True
    return ast.unparse(node) if found else None


def _default_text(node: ast.AST, file: FileView) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if (
        isinstance(node, ast.Call)
        and file.qualified(node.func) in DEFAULTS
        and len(node.args) == 2
        and isinstance(node.args[1], ast.Constant)
        and isinstance(node.args[1].value, str)
    ):
        return node.args[1].value
    return None


class WriteOutsideTmp(Rule):
    """
    ## What it does
    Finds tests, fixtures and xunit setups that write files into the project instead of
    a temporary folder: `open("out.html", "w")` or `Path("x").write_text(...)` with a
    relative path, writes to a path built from `__file__`, and SQLite databases in a
    relative file (`create_engine("sqlite:///test.db")`, `sqlite3.connect("test.db")`).
    Relative paths land in the working directory, the project root under pytest; paths
    built from `__file__` (`Path(__file__).parent / "out.txt"`,
    `os.path.join(os.path.dirname(__file__), ...)`, also through a name or a class
    attribute) in the test's own folder. Code that runs at import time of a test module
    or conftest is checked too, and fixtures that hand out a relative SQLite URL
    (`f"sqlite:///{db_name}.db"` when the `db_name` fixture gives a plain name).
    Two more ways a test writes into the project: running `coverage run` in a
    subprocess with the working directory in the project (no `cwd`, or one built from
    `__file__`; coverage writes its `.coverage.*` data files there), and calling a
    function of another module of the project (an example's own test, a helper of the
    application) that writes one of the files above, reported at the test's call.
    A path the same function removes again (`os.remove`, `unlink`,
    `rmtree`) is not reported, nor a URL put into an app's configuration (frameworks
    such as Flask-SQLAlchemy move relative SQLite files into the instance folder).

    ## Why is this bad?
    The file lands in the work tree: it shows up in `git status`, gets packaged into
    sdists, and stays behind after a failed run so that the next run starts from it.
    Parallel runs (`pytest -n`, two checkouts' CI jobs in one folder) write the same
    file at the same time and fail at random. `tmp_path` gives each test its own folder.

    ## Example
    ```python
    from sqlalchemy import create_engine

    def test_export(client):
        with open("export.html", "w") as out:
            out.write(client.get("/export").text)

    def test_db():
        engine = create_engine("sqlite:///test.db")
        assert engine.connect()
    ```
    Use instead:
    ```python
    from sqlalchemy import create_engine

    def test_export(client, tmp_path):
        (tmp_path / "export.html").write_text(client.get("/export").text)

    def test_db(tmp_path):
        engine = create_engine(f"sqlite:///{tmp_path / 'test.db'}")
        assert engine.connect()
    ```

    ## References
    - pytest, "How to use temporary directories and files in tests":
      <https://docs.pytest.org/en/stable/how-to/tmp_path.html>
    """

    code = "TA309"
    cache_scope = "file"
    name = "write-outside-tmp"
    category = "isolation"

    VALID = (
        # the working directory moved into a temporary folder first (by the test, by a
        # fixture it requests, or by pytester): relative paths land there
        Valid(
            "import sqlite3\n\nimport pytest\n\n\n@pytest.fixture\n"
            "def workdir(tmp_path, monkeypatch):\n    monkeypatch.chdir(tmp_path)\n"
            "    return tmp_path\n\n\n"
            "def test_a(tmp_path, monkeypatch):\n    monkeypatch.chdir(tmp_path)\n"
            "    sqlite3.connect('rel.db').close()\n\n\n"
            "def test_b(workdir):\n    open('out.txt', 'w').close()\n\n\n"
            "def test_c(pytester):\n    open('conftest.py', 'w').close()\n"
        ),
        # click's isolated filesystem: a temporary working directory for the block
        # (sqlite-utils' test_insert_files)
        Valid(
            "import pathlib\n\nfrom click.testing import CliRunner\n\n\n"
            "def test_insert_files():\n    runner = CliRunner()\n"
            "    with runner.isolated_filesystem():\n        tmpdir = pathlib.Path('.')\n"
            "        (tmpdir / 'one.txt').write_text('This is file one', 'utf-8')\n"
        ),
        # temporary folders, reads, in-memory SQLite, config entries, cleaned-up files
        Valid(
            "import os\nfrom pathlib import Path\n\nfrom sqlalchemy import create_engine\n\n"
            "HERE = Path(__file__).parent\n\n"
            "def test_a(tmp_path):\n    (tmp_path / 'out.txt').write_text('x')\n"
            "    with open(tmp_path / 'log.txt', 'w') as f:\n        f.write('x')\n"
            "    engine = create_engine(f'sqlite:///{tmp_path}/t.db')\n"
            "    assert (HERE / 'data.txt').read_text()\n\n"
            "def test_b(app):\n    app.config['SQLALCHEMY_DATABASE_URI'] = 'sqlite:///test.db'\n"
            "    engine = create_engine('sqlite:///:memory:')\n"
            "    with open('data.txt') as f:\n        assert f.read()\n\n"
            "def test_c():\n    path = os.path.join(os.path.dirname(__file__), 'x.txt')\n"
            "    with open(path, 'w') as f:\n        f.write('x')\n    os.remove(path)\n"
        ),
        Valid(
            files={
                "conftest.py": "import pytest\n\n@pytest.fixture\ndef db_name(tmp_path):\n"
                "    return str(tmp_path / 'x')\n\n"
                "@pytest.fixture\ndef dsn(db_name):\n    return f'sqlite:///{db_name}.db'\n",
                "test_a.py": "def test_a(dsn):\n    assert dsn\n",
            }
        ),
        # URLs a fixture hands out: in a temporary folder, or in memory
        Valid(
            files={
                "conftest.py": "import pytest\n\n@pytest.fixture\ndef file_dsn(tmp_path):\n"
                "    return f'sqlite:///{tmp_path}/x.db'\n\n"
                "@pytest.fixture\ndef memory_dsn():\n    return 'sqlite://'\n\n"
                "@pytest.fixture\ndef named_memory_dsn():\n    return 'sqlite:///:memory:'\n",
                "test_a.py": "def test_a(file_dsn, memory_dsn, named_memory_dsn):\n"
                "    assert file_dsn and memory_dsn and named_memory_dsn\n",
            }
        ),
    )
    INVALID = (
        Invalid(
            "import sqlite3\nfrom pathlib import Path\n\nfrom sqlalchemy import create_engine\n\n"
            "engine = create_engine('sqlite:///testing.db')\n\n"
            "def test_page(client):\n    with open('f.html', 'w') as f:\n"
            "        f.write(client.get('/').text)\n\n"
            "class TestFiles:\n    root = Path(__file__).parent / 'files'\n\n"
            "    def test_edit(self):\n        (self.root / 'a.txt').write_text('new')\n"
            "        conn = sqlite3.connect('shop.db')\n        assert conn\n",
            at=(
                "test_example.py:6:10",
                "test_example.py:9:10",
                "test_example.py:16:9",
                "test_example.py:17:16",
            ),
            message="`test_example.py` opens the SQLite file `sqlite:///testing.db`",
        ),
        Invalid(
            files={
                "conftest.py": "import os\n\nimport pytest\n\n"
                "@pytest.fixture(scope='session')\ndef db_name():\n"
                "    return os.environ.get('TEST_DB', 'app_test')\n\n"
                "@pytest.fixture\ndef sqlite_file_dsn(db_name):\n"
                "    return f'sqlite:///{db_name}.db'\n",
                "test_a.py": "def test_a(sqlite_file_dsn):\n    assert sqlite_file_dsn\n",
            },
            at=("conftest.py:11:12",),
            message="fixture `sqlite_file_dsn` hands out the SQLite file URL",
        ),
        # a relative SQLite file URL as a literal, which the tests then create
        Invalid(
            files={
                "conftest.py": "import pytest\n\n@pytest.fixture\ndef dsn():\n"
                "    return 'sqlite:///sqlalchemy_utils_test.db'\n",
                "test_a.py": "from sqlalchemy import create_engine\n\n"
                "def test_a(dsn):\n    assert create_engine(dsn).connect()\n",
            },
            at=("conftest.py:5:12",),
            message="hands out the SQLite file URL `sqlite:///sqlalchemy_utils_test.db`",
        ),
    )

    def check_file(self, file: FileView) -> Iterator[Finding]:
        if not checked(file):
            return
        writes = any(n in file.text for n in _WRITE_WORDS)
        project = _project_imports(file)
        called = _called_writes(file, project) if project else {}
        if not writes and not called:
            return
        if writes and (file.is_test_module or file.is_conftest):
            for node, what in _writes(file.tree, _Paths(file, None), file):
                yield self.at(file, node, _module_message(file, what))
        for view in file.functions:
            if not (
                view.kind in ("test", "fixture")
                or (view.kind == "xunit" and "setup" in view.name.lower())
            ):
                continue
            if _in_temporary_folder(view, file):
                continue  # relative paths land in a temporary folder here
            paths = _Paths(file, view)
            if writes:
                for node, what in _writes(view.node, paths, file):
                    yield self.at(file, node, _message(view, what))
            if view.kind == "test" and called:
                for node in walk_local(view.node):
                    if id(node) in called:
                        name, module, callee, what = called[id(node)]
                        yield self.at(file, node, _called_message(view, name, module, callee, what))
            if writes and view.kind == "fixture":
                for ret in walk_local(view.node):
                    if isinstance(ret, (ast.Return, ast.Yield)) and ret.value is not None:
                        url = _url_text(ret.value, paths) or _fstring_url(ret.value, view, file)
                        if url is not None:
                            yield self.at(file, ret.value, _handed_message(view, url))


TEMPORARY_WORKDIR_FIXTURES = frozenset({"pytester", "testdir"})
"""pytest's own fixtures that run a test in a temporary folder."""
WORKDIR_CALLS = frozenset({"chdir", "isolated_filesystem"})
"""Calls that move the working directory: `os.chdir`, `monkeypatch.chdir`, and click's
`CliRunner().isolated_filesystem()`, a temporary folder for the `with` block."""


def _in_temporary_folder(view: FunctionView, file: FileView) -> bool:
    """The function runs with the working directory changed (``monkeypatch.chdir``,
    ``os.chdir``, click's ``isolated_filesystem``, pytester), itself or through a fixture
    of this file it requests: its relative paths are not the project's."""
    if TEMPORARY_WORKDIR_FIXTURES & set(view.params):
        return True
    local_fixtures = {f.name: f for f in file.functions if f.kind == "fixture"}
    for function in (view, *(local_fixtures[n] for n in view.params if n in local_fixtures)):
        if any(
            isinstance(node, ast.Call) and call_name(node) in WORKDIR_CALLS
            for node in walk_local(function.node)
        ):
            return True
    return False


HINT = "use `tmp_path` (or `tmp_path_factory` for wider scopes)"


def _message(view: FunctionView, what: str) -> str:
    return (
        f"{where(view)} writes {what} into the project, not a temporary folder: the file "
        "stays in the work tree after the run (and after a failure), and parallel runs "
        f"write the same file; {HINT}"
        if not what.startswith("the SQLite")
        else f"{where(view)} opens {what}, relative to the working directory: the "
        "database lands in the project and outlives the run, and parallel runs share it; "
        f"put it under `tmp_path`"
    )


def _called_message(
    view: FunctionView, name: str, module: FileView, callee: FunctionView, what: str
) -> str:
    verb = "opens" if what.startswith("the SQLite") else "writes"
    return (
        f"{where(view)} calls `{name}()` ({module.path}:{callee.node.lineno}), which {verb} "
        f"{what} relative to the working directory: it lands in the project and outlives "
        "the run, and parallel runs share it; change the working directory to `tmp_path` "
        "first (`monkeypatch.chdir(tmp_path)`)"
    )


def _module_message(file: FileView, what: str) -> str:
    verb = "opens" if what.startswith("the SQLite") else "writes"
    return (
        f"`{file.name}` {verb} {what} at import time, relative to the project: the file "
        f"stays in the work tree and parallel runs share it; {HINT} in a fixture"
    )


def _handed_message(view: FunctionView, url: str) -> str:
    return (
        f"{where(view)} hands out the SQLite file URL `{url}`, relative to the working "
        "directory: every test that creates the database writes it into the project, "
        "where it outlives a failed run and parallel runs share it; build the URL from "
        "`tmp_path` (or `tmp_path_factory`)"
    )
