"""Second round on fresh, unlabelled real suites (issue 14): each miss of the tuning half
written as a synthetic case the old rules did not report, next to the decoy that must
stay quiet; and the false alarms found there, next to the case that must still be
reported."""

from __future__ import annotations

from pathlib import Path

from auditor.api import Invalid, Valid
from tests.rules.cases import check

# -- TA306: a process-wide switch of an imported module, turned off after the checks ---


def test_switch_turned_off_only_after_the_checks_is_reported(tmp_path: Path) -> None:
    code = (
        "import httpcache\nfrom httpcache import install, uninstall\n\n\n"
        "def test_settings():\n    httpcache.install_cache('c', expire_after=360)\n"
        "    assert httpcache.is_installed()\n    httpcache.uninstall_cache()\n\n\n"
        "def test_plain():\n    install()\n    assert httpcache.is_installed()\n    uninstall()\n"
    )
    check(
        "TA306",
        Invalid(
            code,
            at=("test_example.py:6:5", "test_example.py:12:5"),
            message="puts it back only at line 8",
        ),
        tmp_path,
    )


def test_switch_never_turned_off_is_reported_when_the_file_turns_it_off_elsewhere(
    tmp_path: Path,
) -> None:
    code = (
        "import pytest\n\nimport httpcache\n\n\n@pytest.fixture\ndef cached():\n"
        "    httpcache.install_cache('c')\n    yield\n    httpcache.uninstall_cache()\n\n\n"
        "def test_leaky():\n    httpcache.install_cache('c')\n    assert httpcache.is_installed()\n"
    )
    check(
        "TA306",
        Invalid(code, at=("test_example.py:14:5",), message="never turns it off"),
        tmp_path,
    )


def test_switch_turned_off_in_finally_or_teardown_or_unpaired_is_not_reported(
    tmp_path: Path,
) -> None:
    code = (
        "import pytest\n\nimport httpcache\nimport loader\n\n\n"
        "@pytest.fixture\ndef cached():\n    httpcache.install_cache('c')\n    yield\n"
        "    httpcache.uninstall_cache()\n\n\n"
        "def test_finally():\n    httpcache.install_cache('c')\n    try:\n"
        "        assert httpcache.is_installed()\n    finally:\n"
        "        httpcache.uninstall_cache()\n\n\n"
        "def test_before_checks():\n    httpcache.install_cache('c')\n"
        "    installed = httpcache.is_installed()\n    httpcache.uninstall_cache()\n"
        "    assert installed\n\n\n"
        "def test_unpaired(tmp_path):\n    loader.load(tmp_path)\n    assert loader.loaded()\n\n\n"
        "def test_local(make_server):\n    server = make_server()\n    server.start()\n"
        "    assert server.running\n    server.stop()\n"
    )
    check("TA306", Valid(code), tmp_path)


# -- TA308: a running object stopped by a longer stop verb after the checks -------------


def test_pool_stopped_with_stop_workers_after_the_checks_is_reported(tmp_path: Path) -> None:
    code = (
        "from app.pool import WorkerPool\n\n\n"
        "def test_check_workers(connection):\n"
        "    pool = WorkerPool(['default'], connection=connection)\n"
        "    pool.start_workers(burst=False)\n    assert len(pool.workers) == 2\n"
        "    pool.stop_workers()\n"
    )
    check(
        "TA308",
        Invalid(
            code,
            files={"app/__init__.py": "", "app/pool.py": ""},
            at=("test_example.py:5:12",),
            message="(`pool.stop_workers()`) only at line 8",
        ),
        tmp_path,
    )


def test_pool_stopped_in_finally_or_a_stopwatch_stopped_late_is_not_reported(
    tmp_path: Path,
) -> None:
    code = (
        "from app.pool import WorkerPool\nfrom app.timing import Stopwatch\n\n\n"
        "def test_check_workers(connection):\n"
        "    pool = WorkerPool(['default'], connection=connection)\n"
        "    pool.start_workers(burst=False)\n    try:\n"
        "        assert len(pool.workers) == 2\n    finally:\n        pool.stop_workers()\n\n\n"
        "def test_timed():\n    watch = Stopwatch()\n    watch.start_lap()\n"
        "    assert watch.laps == 1\n    watch.stop_lap()\n"
    )
    check(
        "TA308",
        Valid(code, files={"app/__init__.py": "", "app/pool.py": "", "app/timing.py": ""}),
        tmp_path,
    )


# -- TA308: an object left open while the test closes its twin -------------------------


def test_object_left_open_while_its_twin_is_closed_is_reported(tmp_path: Path) -> None:
    code = (
        "from kvstore import Store\n\n\n"
        "def test_reopen(tmp_path):\n    path = tmp_path / 'x.db'\n"
        "    first = Store(path)\n    first['key'] = 'value'\n    first.close()\n"
        "    again = Store(path)\n    assert again['key'] == 'value'\n"
    )
    check(
        "TA308",
        Invalid(code, at=("test_example.py:9:13",), message="while it closes `first`"),
        tmp_path,
    )


def test_twins_both_closed_or_kept_elsewhere_are_not_reported(tmp_path: Path) -> None:
    code = (
        "import io\n\nfrom kvstore import Store\n\n\n"
        "def test_both_closed(tmp_path):\n    first = Store(tmp_path)\n    first.close()\n"
        "    again = Store(tmp_path)\n    assert again\n    again.close()\n\n\n"
        "def test_with_block(tmp_path):\n    first = Store(tmp_path)\n    first.close()\n"
        "    again = Store(tmp_path)\n    with again:\n        assert again\n\n\n"
        "def test_handed_to_a_helper(tmp_path, registry):\n    first = Store(tmp_path)\n"
        "    first.close()\n    again = Store(tmp_path)\n    registry.track(again)\n\n\n"
        "def test_streams():\n    a = io.StringIO()\n    a.close()\n    b = io.StringIO()\n"
        "    assert not b.closed\n\n\n"
        "def test_other_class(tmp_path):\n    first = Store(tmp_path)\n    first.close()\n"
        "    other = Other(tmp_path)\n    assert other\n"
    )
    check("TA308", Valid(code), tmp_path)


# -- TA107: a test inherited from a class of another module ------------------------------

BASE = (
    "class CommonTests:\n    def helper(self):\n        return 1\n\n"
    "    def test_get(self):\n        assert self.helper() == 1\n"
)


def test_inherited_test_is_not_checked_at_the_subclass_files_line(tmp_path: Path) -> None:
    files = {
        "tests/common.py": BASE,
        "tests/test_cache.py": "from common import CommonTests\n\n\nclass Store:\n"
        "    def loads(self, data):\n        return data\n\n\n"
        "class TestCache(CommonTests):\n    pass\n",
    }
    check("TA107", Valid(files=files), tmp_path)


def test_own_test_without_assertion_next_to_an_inherited_one_is_reported(
    tmp_path: Path,
) -> None:
    files = {
        "tests/common.py": BASE,
        "tests/test_cache.py": "from common import CommonTests\n\n\n"
        "class TestCache(CommonTests):\n    def test_smoke(self):\n        total = 1 + 1\n",
    }
    check("TA107", Invalid(files=files, at=("tests/test_cache.py:5:5",)), tmp_path)


# -- TA301: a write inside a factory the fixture hands to the tests ---------------------


def test_environ_written_by_a_factory_the_fixture_hands_out_is_reported(tmp_path: Path) -> None:
    code = (
        "import os\n\nimport pytest\n\n\n@pytest.fixture(autouse=True)\n"
        "def cache_factory(request):\n    def _factory(*args):\n"
        "        os.environ.setdefault('AWS_KEY', 'RANDOM')\n        return make_cache(*args)\n\n"
        "    request.cls.cache_factory = _factory\n\n\n"
        "@pytest.fixture\ndef store():\n    def build():\n"
        "        os.environ['STORE_URL'] = 'memory://'\n        return object()\n\n"
        "    return build\n\n\n"
        "class TestCache:\n    def test_a(self, store):\n        assert self.cache_factory()\n"
    )
    check(
        "TA301",
        Invalid(
            code,
            at=("test_example.py:9:9", "test_example.py:18:9"),
            message="fixture `cache_factory` writes `os.environ.setdefault()`",
        ),
        tmp_path,
    )


def test_factory_restored_after_yield_or_a_finalizer_is_not_reported(tmp_path: Path) -> None:
    code = (
        "import os\n\nimport pytest\n\n\n@pytest.fixture\ndef store():\n"
        "    def build():\n        os.environ['STORE_URL'] = 'memory://'\n"
        "        return object()\n\n    yield build\n    os.environ.pop('STORE_URL', None)\n\n\n"
        "@pytest.fixture\ndef cleaned(request):\n    os.environ['MODE'] = 'test'\n\n"
        "    def undo():\n        os.environ.pop('MODE')\n\n"
        "    request.addfinalizer(undo)\n    return 'test'\n\n\n"
        "@pytest.fixture\ndef unused():\n    def never_called():\n"
        "        os.environ['X'] = '1'\n\n    return 1\n\n\n"
        "def test_a(store, cleaned, unused):\n    assert store() and cleaned and unused\n"
    )
    check("TA301", Valid(code), tmp_path)


# -- TA306: the import hooks, and a "restore" that puts back the same list object -------


def test_import_hooks_changed_in_place_and_rebound_to_an_alias_are_reported(
    tmp_path: Path,
) -> None:
    code = (
        "import sys\nimport unittest\n\n\n"
        "class TestFallback(unittest.TestCase):\n    def setUp(self):\n"
        "        self.orig_meta_path = sys.meta_path\n"
        "        sys.meta_path.insert(0, object())\n\n    def tearDown(self):\n"
        "        sys.meta_path = self.orig_meta_path\n\n    def test_a(self):\n"
        "        assert sys.meta_path\n\n\n"
        "def test_path(tmp_path):\n    saved = sys.path\n    sys.path.insert(0, str(tmp_path))\n"
        "    try:\n        assert sys.path\n    finally:\n        sys.path = saved\n"
    )
    check(
        "TA306",
        Invalid(
            code,
            at=("test_example.py:8:9", "test_example.py:19:5"),
            message="changes the import hooks (`sys.meta_path.insert()`)",
        ),
        tmp_path,
    )


def test_import_lists_restored_from_a_copy_or_by_monkeypatch_are_not_reported(
    tmp_path: Path,
) -> None:
    code = (
        "import sys\nimport unittest\n\n\n"
        "class TestFallback(unittest.TestCase):\n    def setUp(self):\n"
        "        self.orig_meta_path = list(sys.meta_path)\n"
        "        sys.meta_path.insert(0, object())\n\n    def tearDown(self):\n"
        "        sys.meta_path[:] = self.orig_meta_path\n\n    def test_a(self):\n"
        "        assert sys.meta_path\n\n\n"
        "def test_path(tmp_path):\n    saved = sys.path[:]\n    sys.path.insert(0, str(tmp_path))\n"
        "    try:\n        assert sys.path\n    finally:\n        sys.path = saved\n\n\n"
        "def test_rebound(tmp_path):\n    saved = sys.path\n    sys.path = [str(tmp_path)]\n"
        "    try:\n        assert sys.path\n    finally:\n        sys.path = saved\n\n\n"
        "def test_patched(monkeypatch):\n    monkeypatch.setattr(sys, 'meta_path', [object()])\n"
        "    assert sys.meta_path\n"
    )
    check("TA306", Valid(code), tmp_path)


# -- TA302: an attribute set on an object the class keeps at class level ----------------

PROJECT = {
    "app/__init__.py": "from .blueprint import Blueprint\n",
    "app/parsing.py": "class Parser:\n    STATUS = 422\n\n\n"
    "class ArgumentsMixin:\n    PARSER = Parser()\n    LIMIT = 10\n",
    "app/blueprint.py": "from .parsing import ArgumentsMixin, Parser\n\n\n"
    "class Blueprint(ArgumentsMixin):\n    def __init__(self, name):\n"
    "        self.name = name\n        self.own_parser = Parser()\n",
}


def test_attribute_of_a_class_level_object_set_through_an_instance_is_reported(
    tmp_path: Path,
) -> None:
    code = (
        "from app import Blueprint\n\n\n"
        "def test_error_status():\n    blp = Blueprint('test')\n"
        "    blp.PARSER.STATUS = 400\n    assert blp.PARSER.STATUS == 400\n"
    )
    check(
        "TA302",
        Invalid(
            code,
            files=PROJECT,
            at=("test_example.py:6:5",),
            message="`ArgumentsMixin` keeps it at class level (app/parsing.py:6)",
        ),
        tmp_path,
    )


def test_instance_own_objects_and_restored_class_level_ones_are_not_reported(
    tmp_path: Path,
) -> None:
    code = (
        "from app import Blueprint\n\n\n"
        "def test_own():\n    blp = Blueprint('test')\n    blp.own_parser.STATUS = 400\n"
        "    blp.name = 'other'\n    assert blp.own_parser.STATUS == 400\n\n\n"
        "def test_restored():\n    blp = Blueprint('test')\n    old = blp.PARSER.STATUS\n"
        "    blp.PARSER.STATUS = 400\n    try:\n        assert blp.PARSER.STATUS == 400\n"
        "    finally:\n        blp.PARSER.STATUS = old\n\n\n"
        "def test_patched(monkeypatch):\n    blp = Blueprint('test')\n"
        "    monkeypatch.setattr(blp.PARSER, 'STATUS', 400)\n    assert blp.PARSER.STATUS == 400\n"
    )
    check("TA302", Valid(code, files=PROJECT), tmp_path)


def test_switch_given_a_callback_the_test_defines_is_reported(tmp_path: Path) -> None:
    code = (
        "import atexit\n\n\n"
        "def test_registers(tmp_path):\n    def cleanup():\n        tmp_path.rmdir()\n\n"
        "    atexit.register(cleanup)\n    assert cleanup\n\n\n"
        "def test_unregisters():\n    atexit.unregister(print)\n"
    )
    check(
        "TA306", Invalid(code, at=("test_example.py:8:5",), message="never turns it off"), tmp_path
    )


def test_switch_on_an_object_or_reset_by_an_autouse_fixture_is_not_reported(
    tmp_path: Path,
) -> None:
    files = {
        "conftest.py": "import pytest\n\nfrom logctx import clear_contextvars\n\n\n"
        "@pytest.fixture(autouse=True)\ndef _clean():\n    clear_contextvars()\n",
        "test_a.py": "from logctx import bind_contextvars, unbind_contextvars\n"
        "from queues import register, unregister, Worker\n\n\n"
        "def test_bind():\n    bind_contextvars(a=1)\n    assert True\n\n\n"
        "def test_unbind():\n    unbind_contextvars('a')\n\n\n"
        "def test_registration(connection):\n    worker = Worker(connection)\n"
        "    register(worker)\n    assert worker.key\n    unregister(worker)\n\n\n"
        "class TestSuspend:\n    def test_suspend(self):\n        register(self.connection)\n",
    }
    check("TA306", Valid(files=files), tmp_path)


# -- TA204: a fixture whose autouse is computed ------------------------------------------

CONFTEST_FLAG = (
    "import os\n\nimport pytest\n\nUSE_LOCAL = os.getenv('USE_LOCAL') == 'true'\n\n\n"
    "@pytest.fixture(scope='session', autouse=USE_LOCAL)\ndef local_server():\n"
    "    os.environ['SERVER_URL'] = 'http://localhost'\n\n\n"
)


def test_fixture_with_a_computed_autouse_is_not_reported_unused(tmp_path: Path) -> None:
    files = {"conftest.py": CONFTEST_FLAG, "test_a.py": "def test_a():\n    assert True\n"}
    check("TA204", Valid(files=files), tmp_path)


def test_fixture_with_autouse_false_is_still_reported_unused(tmp_path: Path) -> None:
    conftest = CONFTEST_FLAG + "@pytest.fixture(autouse=False)\ndef unused():\n    return 1\n"
    files = {"conftest.py": conftest, "test_a.py": "def test_a():\n    assert True\n"}
    check("TA204", Invalid(files=files, at=("conftest.py:14:1",)), tmp_path)


# -- TA302: an autouse fixture that empties a shared registry for every test -------------


def test_autouse_fixture_emptying_a_shared_registry_is_not_reported(tmp_path: Path) -> None:
    files = {
        "conftest.py": "import pytest\n\nfrom registry import caches\n\n\n"
        "@pytest.fixture(autouse=True)\ndef reset_caches():\n    caches._caches = {}\n"
        "    caches.handlers = list()\n",
        "test_a.py": "def test_a():\n    assert True\n",
    }
    check("TA302", Valid(files=files), tmp_path)


def test_fixture_filling_or_not_autouse_emptying_a_registry_is_reported(tmp_path: Path) -> None:
    files = {
        "conftest.py": "import pytest\n\nfrom registry import caches\n\n\n"
        "@pytest.fixture(autouse=True)\ndef preload():\n    caches._caches = {'default': 1}\n\n\n"
        "@pytest.fixture\ndef empty():\n    caches._caches = {}\n",
        "test_a.py": "def test_a(empty):\n    assert True\n",
    }
    check(
        "TA302",
        Invalid(files=files, at=("conftest.py:8:5", "conftest.py:13:5")),
        tmp_path,
    )


def test_helper_called_inside_a_restoring_block_is_not_reported(tmp_path: Path) -> None:
    code = (
        "import os\nfrom unittest import mock\n\n\n"
        "def test_patched():\n    def set_mode():\n        os.environ['MODE'] = 'test'\n\n"
        "    with mock.patch.dict(os.environ):\n        set_mode()\n"
        "        assert os.environ['MODE']\n"
    )
    check("TA301", Valid(code), tmp_path)


def test_helper_the_test_calls_is_its_own_write(tmp_path: Path) -> None:
    code = (
        "import os\n\n\n"
        "def test_mode():\n    def set_mode():\n        os.environ['MODE'] = 'test'\n\n"
        "    set_mode()\n    assert os.environ['MODE']\n"
    )
    check("TA301", Invalid(code, at=("test_example.py:6:9",)), tmp_path)


def test_context_variables_bound_in_an_async_test_are_not_reported(tmp_path: Path) -> None:
    # structlog's test_async_contextvars_merged: an async test runs in its own task, on a
    # copy of the context; the same call in a plain test leaks into the next one
    code = (
        "from structlog.contextvars import bind_contextvars, unbind_contextvars\n\n\n"
        "async def test_async_bind():\n    bind_contextvars(a=1)\n    assert True\n\n\n"
        "def test_bind():\n    bind_contextvars(b=1)\n    assert True\n\n\n"
        "def test_unbind():\n    unbind_contextvars('a')\n"
    )
    check(
        "TA306", Invalid(code, at=("test_example.py:10:5",), message="never turns it off"), tmp_path
    )
