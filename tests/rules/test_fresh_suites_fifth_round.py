"""Fifth round on fresh, unlabelled real suites (issue 14): the false alarms of the tuning
half, each next to the case that must still be reported, and its miss written as a
synthetic case the old rules did not report, next to the decoy that must stay quiet."""

from __future__ import annotations

from pathlib import Path

from auditor.api import Invalid, Valid
from tests.rules.cases import check

# -- TA206/TA207: an engine whose URL is a module-level constant --------------------------

ENGINE_CONFTEST = (
    "import pytest\nfrom sqlalchemy import create_engine\n"
    "from sqlalchemy.orm import sessionmaker\n\n"
    "from .models import Base\n\nDB_URL = {url!r}\n\n\n"
    "@pytest.fixture\ndef session_factory():\n    engine = create_engine(DB_URL)\n"
    "    Base.metadata.create_all(engine)\n    yield sessionmaker(bind=engine)\n"
    "    engine.dispose()\n"
)
ENGINE_TESTS = {
    "tests/__init__.py": "",
    "tests/models.py": "Base = None\n",
    "tests/test_rows.py": (
        "def test_one(session_factory):\n    assert session_factory\n\n\n"
        "def test_two(session_factory):\n    assert session_factory\n"
    ),
}


def test_in_memory_engine_named_by_a_module_constant_is_not_reported(tmp_path: Path) -> None:
    conftest = ENGINE_CONFTEST.format(url="sqlite://")
    files = {**ENGINE_TESTS, "tests/conftest.py": conftest}
    check("TA206", Valid(files=files), tmp_path / "ta206")
    check("TA207", Valid(files=files), tmp_path / "ta207")


def test_server_engine_named_by_a_module_constant_is_still_reported(tmp_path: Path) -> None:
    conftest = ENGINE_CONFTEST.format(url="postgresql://localhost/test")
    files = {**ENGINE_TESTS, "tests/conftest.py": conftest}
    check(
        "TA207",
        Invalid(files=files, at=("tests/conftest.py:13:5",), message="`Base.metadata.create_all`"),
        tmp_path,
    )


# -- TA401: clock ticks and waits out an expiry the test set ------------------------------

EXPIRY_WAITS = (
    "import time\n\nimport pytest\n\n\n"
    "def test_rows_get_their_own_timestamps(store):\n    for name in 'abc':\n"
    "        time.sleep(0.001)\n        store.put(name)\n    assert store.count() == 3\n\n\n"
    "@pytest.mark.slow\ndef test_key_expires(r):\n    r.set('k', 'v', ex=1)\n"
    "    time.sleep(1.5)\n    assert r.get('k') is None\n\n\n"
    "def test_field_expires_soon(r):\n    r.pexpire('k', 100)\n    time.sleep(0.15)\n"
    "    assert r.exists('k') is False\n"
)


def test_clock_ticks_and_waits_out_an_expiry_are_not_reported(tmp_path: Path) -> None:
    check("TA401", Valid(EXPIRY_WAITS), tmp_path)


def test_guesses_and_long_or_early_waits_are_still_reported(tmp_path: Path) -> None:
    code = (
        "import time\n\nimport pytest\n\n\n"
        "@pytest.mark.slow\ndef test_subscribe(r):\n    pubsub = r.pubsub()\n"
        "    pubsub.subscribe('channel')\n    time.sleep(1)\n"
        "    assert pubsub.get_message() is not None\n\n\n"
        "def test_key_expires(r):\n    r.set('k', 'v', ex=1)\n    time.sleep(1.5)\n"
        "    assert r.get('k') is None\n\n\n"
        "@pytest.mark.slow\ndef test_key_lives_until_its_ttl(r):\n    r.pexpire('k', 750)\n"
        "    time.sleep(0.5)\n    assert r.get('k') == b'v'\n"
    )
    check(
        "TA401",
        Invalid(
            code,
            at=("test_example.py:10:5", "test_example.py:16:5", "test_example.py:23:5"),
            message="`time.sleep(1)` in test `test_subscribe`",
        ),
        tmp_path,
    )


# -- TA402: a generous bound below the timeout given to the call --------------------------


def test_bound_below_the_calls_timeout_is_not_reported(tmp_path: Path) -> None:
    code = (
        "import time\n\n\ndef test_wakes_up(ps):\n    start = time.monotonic()\n"
        "    message = ps.get_message(timeout=5)\n    elapsed = time.monotonic() - start\n"
        "    assert message is not None\n    assert elapsed < 2.5\n"
    )
    check("TA402", Valid(code), tmp_path)


def test_tight_bound_beside_a_timeout_is_still_reported(tmp_path: Path) -> None:
    code = (
        "import time\n\n\ndef test_fast(ps):\n    start = time.monotonic()\n"
        "    message = ps.get_message(timeout=5)\n    elapsed = time.monotonic() - start\n"
        "    assert message is not None\n    assert elapsed < 0.2\n"
    )
    check(
        "TA402",
        Invalid(code, at=("test_example.py:9:5",), message="`elapsed < 0.2`"),
        tmp_path,
    )


# -- TA203: fixtures of the project's own pytest plugin -----------------------------------

OWN_PLUGIN = {
    "shop/__init__.py": "",
    "shop/fixtures.py": (
        "import pytest\n\n\n@pytest.fixture\ndef record_shop(app):\n    yield app\n\n\n"
        "@pytest.fixture(name='shop_sessions')\ndef _sessions():\n    return []\n"
    ),
    "tests/__init__.py": "",
    "tests/test_home.py": (
        "import pytest\n\n\n@pytest.fixture\ndef app():\n    return object()\n\n\n"
        "@pytest.mark.usefixtures('record_shop')\ndef test_home(app, shop_sessions):\n"
        "    assert app\n"
    ),
}


def test_fixture_of_the_projects_own_plugin_is_not_reported(tmp_path: Path) -> None:
    pyproject = (
        '[project]\nname = "shop"\nversion = "1"\n\n'
        '[project.entry-points.pytest11]\nshop = "shop.fixtures"\n'
    )
    check("TA203", Valid(files={**OWN_PLUGIN, "pyproject.toml": pyproject}), tmp_path / "toml")
    setup_cfg = (
        "[metadata]\nname = shop\n\n[options.entry_points]\npytest11 =\n    shop = shop.fixtures\n"
    )
    check("TA203", Valid(files={**OWN_PLUGIN, "setup.cfg": setup_cfg}), tmp_path / "cfg")


def test_fixture_of_an_undeclared_project_module_is_still_reported(tmp_path: Path) -> None:
    pyproject = '[project]\nname = "shop"\nversion = "1"\n'
    check(
        "TA203",
        Invalid(
            files={**OWN_PLUGIN, "pyproject.toml": pyproject},
            at=("tests/test_home.py:10:1", "tests/test_home.py:10:1"),
            message="not defined where it is visible",
        ),
        tmp_path,
    )


# -- TA306: a camelCase switch imported relatively -----------------------------------------

SWITCH_MODULE = (
    "_factory = None\n\n\ndef registerFactory(factory):\n    global _factory\n"
    "    _factory = factory\n\n\ndef unregisterFactory():\n    global _factory\n"
    "    _factory = None\n"
)


def test_camel_case_switch_imported_relatively_is_reported(tmp_path: Path) -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/fields.py": SWITCH_MODULE,
        "pkg/tests/__init__.py": "",
        "pkg/tests/test_fields.py": (
            "from ..fields import registerFactory, unregisterFactory\n\n\n"
            "class Field:\n    pass\n\n\n"
            "def test_register():\n    registerFactory(Field)\n    assert True\n\n\n"
            "def test_unregister():\n    registerFactory(Field)\n    unregisterFactory()\n"
            "    assert True\n"
        ),
    }
    check(
        "TA306",
        Invalid(
            files=files,
            at=("pkg/tests/test_fields.py:9:5",),
            message="turns on `registerFactory()` for the whole process",
        ),
        tmp_path,
    )


def test_camel_case_switch_turned_off_in_a_finally_is_not_reported(tmp_path: Path) -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/fields.py": SWITCH_MODULE,
        "pkg/tests/__init__.py": "",
        "pkg/tests/test_fields.py": (
            "from ..fields import registerFactory, unregisterFactory\n\n\n"
            "def test_register():\n    registerFactory(object)\n    try:\n"
            "        assert True\n    finally:\n        unregisterFactory()\n\n\n"
            "def loadData():\n    return 1\n\n\n"
            "def test_local_camel_case_call():\n    assert loadData() == 1\n"
        ),
    }
    check("TA306", Valid(files=files), tmp_path)
