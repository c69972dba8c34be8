"""Tiers reached through the project's own code (issue 14, points 1 and 2): the sample
application under tests/samples/app_reach, and small suites written to disk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.analysis.tier_model import Tiers
from auditor.analysis.tiers import TierClassifier
from auditor.model.build import BuildOptions
from auditor.model.project import ProjectModules
from auditor.parse.codec import decode
from auditor.parse.project import summarize_project
from auditor.parse.summary import ModuleSummary
from auditor.pipeline import analyse_path
from auditor.testing import write_tree

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "app_reach"

EXPECTED = {
    "tests/test_repository.py::test_adds_a_user": "integration",
    "tests/test_repository.py::test_in_memory_repository": "unit",
    "tests/test_repository.py::test_sqlite_in_memory": "unit",
    "tests/test_repository.py::test_app_configured_in_memory": "unit",
    "tests/test_server.py::test_server_binds_a_port": "integration",
    "tests/test_timing.py::test_total_is_fast": "performance",
    "tests/test_timing.py::test_total_throughput": "performance",
    "tests/test_timing.py::test_total_applies_the_discount": "unit",
    "tests/test_settings.py::test_settings_name": "integration",
    "tests/test_web.py::test_registers_through_the_app": "integration",
    "tests/test_web.py::test_mocked_client": "unit",
    "tests/test_files.py::test_project_is_named": "integration",
    "tests/test_files.py::test_readme_has_a_title": "integration",
    "tests/test_files.py::test_writes_only_to_tmp": "unit",
}


@pytest.fixture(scope="module")
def sample() -> Tiers:
    return analyse_path(SAMPLE).tiers


def decisive(tiers: Tiers, nodeid: str) -> str:
    return str(tiers.tests[nodeid].evidence[0])


def test_every_sample_test_gets_its_tier(sample: Tiers) -> None:
    assert {n: t.tier for n, t in sample.tests.items()} == EXPECTED


def test_a_repository_opening_a_sqlite_file_names_the_chain(sample: Tiers) -> None:
    assert decisive(sample, "tests/test_repository.py::test_adds_a_user") == (
        "fixture `db` (tests/conftest.py:11) -> `Repository.__init__` (app/db.py:9) -> "
        "connects to a database (`sqlite3.connect`) (app/db.py:10)"
    )


def test_in_memory_storage_reached_through_the_project_is_unit(sample: Tiers) -> None:
    text = decisive(sample, "tests/test_repository.py::test_app_configured_in_memory")
    assert "an in-memory SQLite database (`:memory:`)" in text
    chain = str(sample.tests["tests/test_repository.py::test_app_configured_in_memory"].evidence)
    assert "`create_app` (app/main.py:8) -> `Repository.__init__` (app/db.py:9)" in chain


def test_a_server_class_binding_a_socket(sample: Tiers) -> None:
    assert decisive(sample, "tests/test_server.py::test_server_binds_a_port") == (
        "`LineServer.__init__` (app/server.py:7) -> `LineServer._bind` (app/server.py:11) -> "
        "opens a network socket (`socket.socket`) (app/server.py:12)"
    )


def test_a_stopwatch_of_the_project_times_the_test(sample: Tiers) -> None:
    for name in ("test_total_is_fast", "test_total_throughput"):
        text = decisive(sample, f"tests/test_timing.py::{name}")
        assert text.startswith("times itself and asserts on the duration")
        assert "Stopwatch.__enter__ (app/timing.py:11) -> time.perf_counter" in text


def test_a_cached_getter_reading_a_project_file(sample: Tiers) -> None:
    assert decisive(sample, "tests/test_settings.py::test_settings_name") == (
        "`get_settings` (app/settings.py:9, cached by `lru_cache`) -> reads a file of the "
        "project outside the temporary folders (`Path(__file__).parents[1] / 'settings.toml'`) "
        "(app/settings.py:10)"
    )


def test_a_home_grown_in_process_client_drives_the_app(sample: Tiers) -> None:
    text = decisive(sample, "tests/test_web.py::test_registers_through_the_app")
    assert text.startswith("fixture `client` (tests/conftest.py:21) -> drives the app's routing")
    assert "(`TestClient` of app/web.py:32: get, post)" in text


def test_project_files_read_by_the_test(sample: Tiers) -> None:
    assert "(`open('pyproject.toml')`)" in decisive(
        sample, "tests/test_files.py::test_project_is_named"
    )
    assert "(`Path(__file__).parents[1] / 'README.md'`)" in decisive(
        sample, "tests/test_files.py::test_readme_has_a_title"
    )


def test_a_team_may_count_any_real_engine_as_integration(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": '[tool.test-auditor]\nin-memory-database = "integration"\n',
        "app/__init__.py": "",
        "app/db.py": "import sqlite3\n\n\nclass Repo:\n    def __init__(self, path):\n"
        "        self.c = sqlite3.connect(path)\n",
        "tests/test_db.py": "from app.db import Repo\n\n\ndef test_memory():\n"
        "    assert Repo(':memory:')\n",
    }
    write_tree(tmp_path, files)
    assert analyse_path(tmp_path).tiers.tests["tests/test_db.py::test_memory"].tier == (
        "integration"
    )


def project_suite(tmp_path: Path, app: dict[str, str], test: str) -> Tiers:
    write_tree(tmp_path, {"pytest.ini": "[pytest]\n", **app, "tests/test_it.py": test})
    return analyse_path(tmp_path).tiers


CHAIN = {
    "src/app/__init__.py": "",
    "src/app/a.py": "from .b import two\n\n\ndef one():\n    return two()\n",
    "src/app/b.py": "from app.c import three\n\n\ndef two():\n    return three()\n",
    "src/app/c.py": "from . import d\n\n\ndef three():\n    return d.four()\n",
    "src/app/d.py": "import subprocess\n\n\ndef four():\n    subprocess.run(['x'])\n",
}


def test_the_reach_is_bounded_to_three_project_defs(tmp_path: Path) -> None:
    tiers = project_suite(
        tmp_path,
        CHAIN,
        "from app.a import one\nfrom app.b import two\n\n\n"
        "def test_far():\n    one()\n\n\ndef test_near():\n    two()\n",
    )
    assert tiers.tests["tests/test_it.py::test_far"].tier == "unit"
    near = tiers.tests["tests/test_it.py::test_near"]
    assert near.tier == "integration"
    assert str(near.evidence[0]).startswith(
        "`two` (src/app/b.py:4) -> `three` (src/app/c.py:4) -> `four` (src/app/d.py:4) -> "
        "starts a subprocess"
    )


def test_installed_packages_and_test_files_are_not_the_project(tmp_path: Path) -> None:
    tiers = project_suite(
        tmp_path,
        {
            ".venv/lib/python3.12/site-packages/dep/__init__.py": (
                "import socket\n\n\ndef ping():\n    socket.socket()\n"
            ),
            "tests/test_other.py": "import socket\n\n\ndef helper():\n    socket.socket()\n",
        },
        "import dep\nfrom tests.test_other import helper\n\n\n"
        "def test_dep():\n    dep.ping()\n\n\ndef test_helper_of_a_test_file():\n    helper()\n",
    )
    assert tiers.tests["tests/test_it.py::test_dep"].tier == "unit"
    assert tiers.tests["tests/test_it.py::test_helper_of_a_test_file"].tier == "integration"


def test_timers_deep_in_the_project_and_its_asserts_do_not_make_performance(
    tmp_path: Path,
) -> None:
    tiers = project_suite(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/solve.py": "import time\n\nfrom .inner import step\n\n\ndef solve(x):\n"
            "    return step(x)\n",
            "app/inner.py": "import time\n\n\ndef step(x):\n    t0 = time.perf_counter()\n"
            "    assert time.perf_counter() - t0 < 5\n    return x\n",
        },
        "from app.solve import solve\n\n\n"
        "def test_close():\n    assert abs(solve(1.0) - 1) < 1e-9\n",
    )
    assert tiers.tests["tests/test_it.py::test_close"].tier == "unit"


def test_only_the_modules_reached_are_parsed(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pytest.ini": "[pytest]\n",
            "app/__init__.py": "",
            "app/used.py": "def f():\n    return 1\n",
            "app/unused.py": "def g(:\n",
            "tests/test_it.py": "from app.used import f\n\n\ndef test_f():\n    assert f()\n",
        },
    )
    project = ProjectModules(tmp_path, ["tests/test_it.py"])
    assert project.find("app.used") == "app/used.py"
    assert project.find("tests.test_it") is None
    assert project.find("os") is None
    summary = project.summary("app/used.py")
    assert summary is not None
    assert [f.name for f in summary.functions] == ["f"]
    assert project.summary("app/unused.py") is None  # a syntax error is not followed


def test_project_summaries_are_cached_as_validated_json(tmp_path: Path) -> None:
    root = tmp_path / "suite"
    cache = tmp_path / "cache"
    write_tree(
        root,
        {
            "pytest.ini": "[pytest]\n",
            **CHAIN,
            "tests/test_it.py": ("from app.b import two\n\n\ndef test_near():\n    two()\n"),
        },
    )
    options = BuildOptions(cache_dir=cache)
    first = analyse_path(root, build=options)
    assert first.tiers.tests["tests/test_it.py::test_near"].tier == "integration"
    [stored] = cache.glob("v*/project-*.json")
    entries = json.loads(stored.read_text())["entries"]
    assert sorted(entries) == ["src/app/b.py", "src/app/c.py", "src/app/d.py"]
    # the reach of each def followed is stored with its module's summary
    d = decode(json.loads(entries["src/app/d.py"][3]))
    assert isinstance(d, ModuleSummary)
    [four] = d.functions
    assert four.reach is not None
    assert [c.name for c in four.reach.calls] == ["subprocess.run"]
    # a planted entry of the wrong shape is a miss, never an error
    document = json.loads(stored.read_text())
    document["entries"]["src/app/d.py"][3] = json.dumps(["ModuleSummary", "x", 1])
    stored.write_text(json.dumps(document))
    again = analyse_path(root, build=options)
    assert again.tiers.tests["tests/test_it.py::test_near"].tier == "integration"


def test_the_light_summary_holds_defs_classes_bindings_and_reach() -> None:
    source = (
        b"import functools\nfrom .db import Repository as Repo\n\n\n"
        b"@functools.lru_cache\ndef get():\n    return Repo(':memory:')\n\n\n"
        b"class Server(Base):\n    def __init__(self):\n        self.s = open('x.cfg')\n"
    )
    summary = summarize_project("app/m.py", source)
    assert isinstance(summary, ModuleSummary)
    [get] = summary.functions
    assert get.reach is not None
    assert [(c.name, c.kind) for c in get.reach.calls] == [
        ("functools.lru_cache", "decorator"),
        ("Repo", "call"),
        (":memory:", "url"),
    ]
    [server] = summary.classes
    assert server.bases == ("Base",)
    assert server.has_init
    init_reach = server.functions[0].reach
    assert init_reach is not None
    assert ("x.cfg", "open-read") in [(c.name, c.kind) for c in init_reach.calls]
    imported = [b for b in summary.bindings if b.kind == "import"]
    assert [(b.name, b.module, b.target, b.level) for b in imported] == [
        ("Repo", "db", "Repository", 1)
    ]


def test_a_project_def_the_test_patches_is_not_followed(tmp_path: Path) -> None:
    tiers = project_suite(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/echo.py": "import socket\n\n\ndef ask(port):\n"
            "    return socket.create_connection(('127.0.0.1', port))\n",
        },
        "from unittest import mock\n\nfrom app import echo\n\n\n"
        "def test_mocked():\n    with mock.patch.object(echo, 'ask', return_value='pong'):\n"
        "        assert echo.ask(9) == 'pong'\n\n\n"
        "def test_monkeypatched(monkeypatch):\n"
        "    monkeypatch.setattr(echo, 'ask', lambda port: 'pong')\n"
        "    assert echo.ask(9) == 'pong'\n\n\n"
        "def test_real():\n    assert echo.ask(9)\n",
    )
    assert {n.partition("::")[2]: t.tier for n, t in tiers.tests.items()} == {
        "test_mocked": "unit",
        "test_monkeypatched": "unit",
        "test_real": "integration",
    }


def test_only_the_modules_a_chain_enters_are_parsed(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pytest.ini": "[pytest]\n",
            "app/__init__.py": "from .impl import run_it\n",
            "app/impl.py": "from .low import spawn\n\n\ndef run_it():\n    return spawn()\n",
            "app/low.py": "import subprocess\n\nfrom .lower import more\n\n\n"
            "def spawn():\n    subprocess.run(['x'])\n    more()\n",
            "app/lower.py": "from .deepest import most\n\n\ndef more():\n    return most()\n",
            "app/deepest.py": "def most():\n    return 1\n",
            "app/unused.py": "def g(:\n",
            "tests/test_it.py": "from app import run_it\n\n\ndef test_spawns():\n    run_it()\n",
        },
    )
    analysis = analyse_path(tmp_path)
    classifier = TierClassifier(analysis.suite, analysis.resolution, analysis.signals)
    tiers = classifier.classify()
    assert str(tiers.tests["tests/test_it.py::test_spawns"].evidence[0]).startswith(
        "`run_it` (app/impl.py:4) -> `spawn` (app/low.py:6) -> starts a subprocess"
    )
    # `most` would be a fourth def: the chain stops before it and never parses its module
    assert sorted(classifier.code.project_paths) == [
        "app/__init__.py",
        "app/impl.py",
        "app/low.py",
        "app/lower.py",
    ]


def test_a_patched_def_on_the_way_and_a_lazy_session_factory(tmp_path: Path) -> None:
    tiers = project_suite(
        tmp_path,
        {
            "src/ext/__init__.py": "from .core import Ext\n",
            "src/ext/core.py": (
                "import sqlalchemy as sa\nfrom sqlalchemy import orm\n\n\nclass Ext:\n"
                "    def __init__(self, url):\n        self.engine = self._make_engine(url)\n"
                "        self.session = orm.sessionmaker()\n\n"
                "    def _make_engine(self, url):\n        return sa.create_engine(url)\n"
            ),
        },
        "from unittest import mock\n\nfrom ext import Ext\n\n\n"
        "@mock.patch.object(Ext, '_make_engine', autospec=True)\n"
        "def test_options(make_engine):\n    Ext('mysql:///test')\n\n\n"
        "def test_real():\n    Ext('mysql:///test')\n",
    )
    options = tiers.tests["tests/test_it.py::test_options"]
    assert options.tier == "unit"
    assert str(options.evidence[0]).startswith(
        "mocks what it would reach: mock.patch('ext.Ext._make_engine') at tests/test_it.py:6"
    )
    real = tiers.tests["tests/test_it.py::test_real"]
    assert real.tier == "integration"
    assert "a MySQL server (`mysql:///test`)" in str(real.evidence[0])
    assert not any("sessionmaker" in str(e) for e in real.evidence)  # connects only when used


@pytest.mark.parametrize(
    ("body", "found"),
    [
        ("return (Path(__file__).parents[1] / 'README.md').read_text()", True),
        ("return (Path(__file__).resolve().parent.parent / 'x.toml').read_text()", True),
        ("return open(os.path.join(os.path.dirname(__file__), '..', 'x.cfg')).read()", True),
        ("return open(os.path.dirname(os.path.dirname(__file__)) + '/x').read()", True),
        ("return (Path(__file__).parent / 'data.json').read_text()", False),  # beside it
        ("return Path(__file__).parents[1]", False),  # named, never read
    ],
)
def test_project_files_found_from_dunder_file(body: str, found: bool) -> None:
    source = f"import os\nfrom pathlib import Path\n\n\ndef f():\n    {body}\n"
    summary = summarize_project("tests/test_x.py", source.encode())
    assert isinstance(summary, ModuleSummary)
    reach = summary.functions[0].reach
    assert reach is not None
    assert any(c.kind == "project-file" for c in reach.calls) is found


def test_a_method_is_read_from_its_own_lines() -> None:
    source = (
        b"import sqlite3\n\n\nclass Repo:\n    @staticmethod\n    def open(path):\n"
        b'        """Opens\nthe file (a docstring line at column 0)."""\n'
        b"        return sqlite3.connect(path)\n"
    )
    summary = summarize_project("app/repo.py", source)
    assert isinstance(summary, ModuleSummary)
    [method] = summary.classes[0].functions
    assert method.line == 6
    assert method.reach is not None
    assert [(c.name, c.line, c.kind) for c in method.reach.calls] == [
        ("staticmethod", 5, "decorator"),
        ("sqlite3.connect", 9, "call"),
    ]


def test_a_module_the_project_re_exports_is_the_module_it_is(tmp_path: Path) -> None:
    # sqlite-utils: `from sqlite_utils.utils import sqlite3`, where utils.py picks
    # pysqlite3 or the standard library's sqlite3 inside try/except; a file database in
    # a fixture is integration. A name the project binds otherwise is not followed.
    (tmp_path / "app").mkdir()
    (tmp_path / "tests").mkdir()
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "utils.py").write_text(
        "try:\n    import pysqlite3 as sqlite3\nexcept ImportError:\n    import sqlite3\n\n"
        "connect = print\n"
    )
    (tmp_path / "tests" / "conftest.py").write_text(
        "import pytest\n\nfrom app.utils import sqlite3\nfrom app import utils\n\n\n"
        "@pytest.fixture\ndef db_path(tmp_path):\n    path = str(tmp_path / 'test.db')\n"
        "    sqlite3.connect(path).executescript('create table t (a)')\n    return path\n\n\n"
        "@pytest.fixture\ndef printed():\n    utils.connect('x')\n"
    )
    (tmp_path / "tests" / "test_cli.py").write_text(
        "def test_tables(db_path):\n    assert db_path\n\n\n"
        "def test_printed(printed):\n    assert True\n"
    )
    tiers = analyse_path(tmp_path).tiers
    tables = tiers.tests["tests/test_cli.py::test_tables"]
    assert tables.tier == "integration"
    assert "connects to a database (`sqlite3.connect`)" in tables.evidence[0].text
    assert tiers.tests["tests/test_cli.py::test_printed"].tier == "unit"
