"""Decoys from real suites (issue 14) that the rules' own examples do not carry: an
example package whose modules import each other (TA302), a sibling package with a
module of the same name (TA302), near copies over other fixtures (TA504)."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.analysis import duplicates
from auditor.api import Invalid, Valid
from tests.rules.cases import check


def tutorial(package: str, test_name: str) -> dict[str, str]:
    """An example package (app.py runs database.py's engine) and the one test that
    points the engine at a new in-memory database before running the app."""
    return {
        f"docs_src/{package}/__init__.py": "",
        f"docs_src/{package}/database.py": "url = 'sqlite:///db'\nengine = None\n\n"
        "def create_all():\n    return engine\n",
        f"docs_src/{package}/app.py": "from .database import create_all, engine\n\n"
        "def main():\n    create_all()\n    return engine\n",
        f"tests/{test_name}.py": "from sqlalchemy import create_engine\n\n\n"
        f"def test_tutorial():\n    from docs_src.{package} import app, database\n\n"
        "    database.url = 'sqlite://'\n    database.engine = create_engine(database.url)\n"
        "    app.engine = database.engine\n    assert app.main()\n",
    }


def test_module_read_only_by_its_own_example_package_is_owned(tmp_path: Path) -> None:
    files = {"docs_src/__init__.py": "", **tutorial("one", "test_one")}
    check("TA302", Valid(files=files), tmp_path)


def test_same_named_module_of_another_example_is_not_an_importer(tmp_path: Path) -> None:
    # `from .database import engine` in docs_src/two/app.py is two's database, not one's
    files = {
        "docs_src/__init__.py": "",
        **tutorial("one", "test_one"),
        **tutorial("two", "test_two"),
    }
    check("TA302", Valid(files=files), tmp_path)


def test_importer_run_by_a_test_that_sets_nothing_keeps_the_finding(tmp_path: Path) -> None:
    files = {
        "docs_src/__init__.py": "",
        **tutorial("one", "test_one"),
        "tests/test_other.py": "def test_other():\n    from docs_src.one import app\n\n"
        "    assert app.main() is None\n",
    }
    where = ("tests/test_one.py:7:5", "tests/test_one.py:8:5")
    check("TA302", Invalid(files=files, at=where, message="`database.url`"), tmp_path)


def test_importer_used_by_project_code_keeps_the_finding(tmp_path: Path) -> None:
    # the application imports the example's app: whatever runs it reads the engine
    files = {
        "docs_src/__init__.py": "",
        **tutorial("one", "test_one"),
        "shop/__init__.py": "from docs_src.one import app\n",
        "tests/test_shop.py": "import shop\n\n\ndef test_shop():\n    assert shop\n",
    }
    where = ("tests/test_one.py:7:5", "tests/test_one.py:8:5")
    check("TA302", Invalid(files=files, at=where), tmp_path)


PAGING = """\
from app import paginate, select


def test_core_enum({fixture}):
    with connect({fixture}, echo=True) as s:
        selectable = select(Light.id, Light.colour).order_by(Light.intensity, Light.id)
        page = paginate(selectable=selectable, s=s, per_page=10)
        assert page.rows == sorted(page.rows)
        assert page.has_next


def test_core_order_by_enum({other}):
    with connect({other}, echo=True) as s:
        selectable = select(Light.id, Light.colour).order_by(
            Light.colour, Light.intensity, Light.id
        )
        page = paginate(selectable=selectable, s=s, per_page=10)
        assert page.rows == sorted(page.rows)
        assert page.has_next
"""


def test_near_copies_over_other_fixtures_are_no_pair(tmp_path: Path) -> None:
    code = PAGING.format(fixture="dburl", other="no_mysql_dburl")
    check("TA504", Valid(files={"tests/test_paging.py": code}), tmp_path)


def test_near_copies_over_the_same_fixtures_are_reported(tmp_path: Path) -> None:
    code = PAGING.format(fixture="dburl", other="dburl")
    case = Invalid(files={"tests/test_paging.py": code}, at=("tests/test_paging.py:12:1",))
    check("TA504", case, tmp_path)


def test_the_fixture_rule_is_what_keeps_them_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(duplicates, "same_fixtures", lambda unit, other: True)
    code = PAGING.format(fixture="dburl", other="no_mysql_dburl")
    case = Invalid(files={"tests/test_paging.py": code}, at=("tests/test_paging.py:12:1",))
    check("TA504", case, tmp_path)
