"""False alarms found on unlabelled real suites (issue 14), each with the case that must
still be reported: the rule has to tell the two situations apart, not the names."""

from __future__ import annotations

from pathlib import Path

from auditor.api import Invalid, Valid
from tests.rules.cases import check

# -- TA209: an unresolved `db` is pytest-django's only in a Django suite ----------------

AUTOUSE_DB = "import pytest\n\n\n@pytest.fixture(autouse=True)\ndef cleanup(db):\n    yield\n"
TWO_TESTS = {
    "tests/test_a.py": "def test_a():\n    assert True\n\n\ndef test_b():\n    assert True\n",
    "tests/test_db.py": "def test_db(db):\n    assert db\n",
}


def test_unresolved_db_in_a_django_suite_is_pytest_djangos(tmp_path: Path) -> None:
    files = {"tests/conftest.py": "import django\n" + AUTOUSE_DB, **TWO_TESTS}
    check(
        "TA209",
        Invalid(files=files, at=("tests/conftest.py:6:1",), message="pytest-django's database"),
        tmp_path,
    )


def test_unresolved_db_elsewhere_is_not_claimed_as_pytest_djangos(tmp_path: Path) -> None:
    # the suite's own `db` fixture, in a conftest.py its sdist does not ship
    check("TA209", Valid(files={"tests/conftest.py": AUTOUSE_DB, **TWO_TESTS}), tmp_path)


# -- TA207: tables of models declared for each test -----------------------------------

PER_TEST_BASE = {
    "conftest.py": "import pytest\nfrom sqlalchemy import create_engine\n"
    "from sqlalchemy.orm import declarative_base\n\n"
    '@pytest.fixture(scope="session")\ndef engine():\n'
    '    return create_engine("postgresql://localhost/test")\n\n'
    "@pytest.fixture\ndef Base():\n    return declarative_base()\n\n"
    "@pytest.fixture\ndef session(engine, Base):\n"
    "    Base.metadata.create_all(engine)\n"
    "    yield engine\n"
    "    Base.metadata.drop_all(engine)\n",
    "test_a.py": "def test_a(session):\n    assert session\n\n"
    "def test_b(session):\n    assert session\n",
}


def test_schema_of_a_base_built_for_each_test_is_not_reported(tmp_path: Path) -> None:
    # each test module declares its models on a new Base: no session fixture could
    # build their tables once
    check("TA207", Valid(files=PER_TEST_BASE), tmp_path)


def test_schema_of_a_shared_base_is_still_reported(tmp_path: Path) -> None:
    files = dict(PER_TEST_BASE)
    files["conftest.py"] = files["conftest.py"].replace(
        "@pytest.fixture\ndef Base", '@pytest.fixture(scope="session")\ndef Base'
    )
    check("TA207", Invalid(files=files, at=("conftest.py:15:5",)), tmp_path)


XUNIT = (
    "from flask_sqlalchemy import SQLAlchemy\n\nfrom app import db, make_app\n\n\n"
    "class TestVersions:\n"
    "    def setup_method(self):\n"
    "        self.db = SQLAlchemy()\n"
    "        self.db.init_app(make_app())\n"
    "        self.db.create_all()\n\n"
    "    def teardown_method(self):\n"
    "        self.db.drop_all()\n\n"
    "    def test_a(self):\n        assert self.db\n\n"
    "    def test_b(self):\n        assert self.db\n"
)


def test_setup_building_its_own_models_is_not_reported(tmp_path: Path) -> None:
    check("TA207", Valid(XUNIT), tmp_path)


def test_setup_on_the_applications_db_is_still_reported(tmp_path: Path) -> None:
    shared = XUNIT.replace("self.db = SQLAlchemy()", "self.db = db")
    check(
        "TA207",
        Invalid(shared, at=("test_example.py:10:9", "test_example.py:13:9")),
        tmp_path,
    )


TEARDOWN = (
    "import unittest\n\nfrom app import app, db\n\n\n"
    "class TestApp(unittest.TestCase):\n"
    "    def setUp(self):\n"
    "        app.config['SQLALCHEMY_DATABASE_URI'] = 'sqlite://'\n"
    "        db.create_all()\n\n"
    "    def tearDown(self):\n"
    "        db.drop_all()\n\n"
    "    def test_a(self):\n        assert db\n\n"
    "    def test_b(self):\n        assert db\n"
)


def test_teardown_of_an_in_memory_setup_is_not_reported(tmp_path: Path) -> None:
    check("TA207", Valid(TEARDOWN), tmp_path)


def test_teardown_of_a_server_setup_is_still_reported(tmp_path: Path) -> None:
    server = TEARDOWN.replace("'sqlite://'", "'postgresql://localhost/test'")
    check(
        "TA207",
        Invalid(server, at=("test_example.py:9:9", "test_example.py:12:9")),
        tmp_path,
    )


# -- TA504: the same steps around another operation -------------------------------------

USERS = """\
class TestGetUser:
    def test_missing_user(self, client, superuser):
        response = client.get(
            "/d35d213e-f3d8-4f08-954a-7e0d1bea286f",
            headers={"Authorization": f"Bearer {superuser.id}"},
        )
        assert response.status_code == 404
        assert response.json()["detail"] == "not found"
        assert superuser.refresh().active


class TestDeleteUser:
    def test_missing_user(self, client, superuser):
        response = client.delete(
            "/d35d213e-f3d8-4f08-954a-7e0d1bea286f",
            headers={"Authorization": f"Bearer {superuser.id}"},
        )
        assert response.status_code == 404
        assert response.json()["detail"] == "not found"
        assert superuser.refresh().active
"""


def test_same_steps_over_another_method_of_the_client_are_two_tests(tmp_path: Path) -> None:
    # GET and DELETE of a missing user: one test per operation, by design
    check("TA504", Valid(files={"tests/test_users.py": USERS}), tmp_path)


def test_same_steps_over_other_data_are_still_near_duplicates(tmp_path: Path) -> None:
    data = USERS.replace("client.delete(", "client.get(").replace(
        '"/d35d213e-f3d8-4f08-954a-7e0d1bea286f",\n            headers',
        '"/00000000-0000-0000-0000-000000000000",\n            params={"x": 1},\n'
        "            headers",
        1,
    )
    check(
        "TA504",
        Invalid(files={"tests/test_users.py": data}, at=("tests/test_users.py:14:5",)),
        tmp_path,
    )


# -- TA309: files the project's own code or a tool writes into the project -------------

COVERAGE_RUN = (
    "import subprocess\nfrom pathlib import Path\n\n\n"
    "def test_run_tests():\n"
    "    top = Path(__file__).resolve().parent.parent\n"
    "    result = subprocess.run(\n"
    '        ["coverage", "run", "--parallel-mode", "-m", "pytest", "docs"],\n'
    "        cwd=top,\n"
    "        capture_output=True,\n"
    "    )\n"
    "    assert result.returncode == 0\n"
)


def test_coverage_run_in_the_project_writes_its_data_there(tmp_path: Path) -> None:
    check(
        "TA309",
        Invalid(
            files={"tests/test_docs.py": COVERAGE_RUN},
            at=("tests/test_docs.py:7:14",),
            message="writes coverage's data files",
        ),
        tmp_path,
    )


def test_coverage_run_in_a_temporary_folder_is_not_reported(tmp_path: Path) -> None:
    in_tmp = COVERAGE_RUN.replace("def test_run_tests():", "def test_run_tests(tmp_path):")
    in_tmp = in_tmp.replace("cwd=top,", "cwd=tmp_path,")
    check("TA309", Valid(files={"tests/test_docs.py": in_tmp}), tmp_path)


EXAMPLE = {
    "docs_src/__init__.py": "",
    "docs_src/tutorial001.py": "from sqlalchemy import create_engine\n\n\n"
    "def test_create_hero():\n"
    '    engine = create_engine("sqlite:///testing.db")\n'
    "    assert engine.connect()\n",
    "tests/test_tutorial.py": "from docs_src import tutorial001 as test_mod\n\n\n"
    "def test_tutorial():\n    test_mod.test_create_hero()\n",
}


def test_project_function_writing_a_relative_file_is_reported_at_the_call(
    tmp_path: Path,
) -> None:
    check(
        "TA309",
        Invalid(
            files=EXAMPLE,
            at=("tests/test_tutorial.py:5:5",),
            message="calls `test_mod.test_create_hero()` (docs_src/tutorial001.py:4), which "
            "opens the SQLite file `sqlite:///testing.db`",
        ),
        tmp_path,
    )


def test_project_function_called_from_a_temporary_folder_is_not_reported(
    tmp_path: Path,
) -> None:
    files = dict(EXAMPLE)
    files["tests/test_tutorial.py"] = (
        "from docs_src import tutorial001 as test_mod\n\n\n"
        "def test_tutorial(tmp_path, monkeypatch):\n    monkeypatch.chdir(tmp_path)\n"
        "    test_mod.test_create_hero()\n"
    )
    check("TA309", Valid(files=files), tmp_path)


def test_project_function_on_an_in_memory_database_is_not_reported(tmp_path: Path) -> None:
    files = dict(EXAMPLE)
    files["docs_src/tutorial001.py"] = files["docs_src/tutorial001.py"].replace(
        "sqlite:///testing.db", "sqlite://"
    )
    check("TA309", Valid(files=files), tmp_path)


# -- TA206/TA209: a fixture's cost inside the project's own classes ---------------------

STORE = {
    "app/__init__.py": "",
    "app/store.py": "import psycopg2\n\n\nclass Store:\n    def __init__(self, dsn):\n"
    "        self.conn = psycopg2.connect(dsn)\n"
    "        self.conn.cursor().execute('select 1')\n",
    "tests/conftest.py": "import pytest\n\nfrom app.store import Store\n\n\n"
    "@pytest.fixture(autouse=True)\ndef store():\n"
    "    s = Store('postgresql://localhost/test')\n    yield s\n    s.conn.close()\n",
    "tests/unit/test_money.py": "def test_add():\n    assert 1 + 1 == 2\n\n\n"
    "def test_sub():\n    assert 2 - 1 == 1\n",
}


def test_autouse_fixture_paying_for_a_connection_in_project_code(tmp_path: Path) -> None:
    check(
        "TA209",
        Invalid(
            files=STORE,
            at=("tests/conftest.py:7:1",),
            message="creates a database connection (`psycopg2.connect` in `Store()`)",
        ),
        tmp_path,
    )
    check("TA206", Invalid(files=STORE, at=("tests/conftest.py:7:1",)), tmp_path / "206")


def test_project_class_doing_no_io_costs_nothing(tmp_path: Path) -> None:
    files = dict(STORE)
    files["app/store.py"] = (
        "class Store:\n    def __init__(self, dsn):\n"
        "        self.dsn = dsn\n        self.rows = {}\n"
    )
    check("TA209", Valid(files=files), tmp_path)
    check("TA206", Valid(files=files), tmp_path / "206")


# -- TA501: one test body over each file's own model class ------------------------------

VALIDATORS = (
    "import pytest\n\nfrom app import Model\n\n\n"
    "class Example(Model):\n    name = 'x'\n\n\n"
    "ExampleCreate = Example.schema(exclude={'id'})\n\n\n"
    "def test_validator():\n"
    "    ExampleCreate(name='a b')\n"
    "    with pytest.raises(ValueError):\n"
    "        ExampleCreate(name='ab')\n"
)


def test_copies_over_each_files_own_class_are_not_to_delete(tmp_path: Path) -> None:
    files = {
        "app.py": "class Model:\n    pass\n",
        "tests/test_declared.py": VALIDATORS,
        "tests/test_inherited.py": VALIDATORS.replace("(Model)", "(Model, dict)"),
    }
    check(
        "TA501",
        Invalid(
            files=files,
            at=("tests/test_inherited.py:13:1",),
            message="the same code over other objects under one name (`ExampleCreate`, built "
            "from a class of each file): not a copy to delete",
        ),
        tmp_path,
    )


def test_copies_over_one_shared_class_are_still_copies(tmp_path: Path) -> None:
    shared = VALIDATORS.replace("class Example(Model):\n    name = 'x'\n\n\n", "").replace(
        "from app import Model", "from app import Model as Example"
    )
    files = {
        "app.py": "class Model:\n    pass\n",
        "tests/test_declared.py": shared,
        "tests/test_inherited.py": shared,
    }
    check(
        "TA501",
        Invalid(files=files, at=("tests/test_inherited.py:9:1",), message=": delete it"),
        tmp_path,
    )
