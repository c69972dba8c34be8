"""Duplicate rules (TA501-TA505) on shapes found wrong on unlabelled real suites (issue 14,
section 4): each decoy with the case of the same shape that must still be reported.
Synthetic code only."""

from __future__ import annotations

from pathlib import Path

from auditor.api import Invalid, Valid
from tests.rules.cases import check

# -- TA504: an async test that awaits and its synchronous mirror -----------------------

SYNC_QUEUE = """\
def test_push_then_pop(queue):
    queue.delete("jobs", missing_ok=True, timeout=5)
    queue.push("jobs", {"id": 1, "payload": [1, 2, 3]}, priority=5, retries=3)
    assert queue.length("jobs", include_delayed=True, strict=False) == 1
    job = queue.pop("jobs", block=False, timeout=5)
    assert job.payload == {"id": 1, "payload": [1, 2, 3]}
    assert job.meta["retries"] == 3 and job.meta["priority"] == 5
"""

ASYNC_QUEUE = (
    SYNC_QUEUE.replace("def test", "async def test")
    .replace("    queue.", "    await queue.")
    .replace("assert queue.", "assert await queue.")
    .replace("job = queue", "job = await queue")
)


def test_async_test_that_awaits_is_no_near_copy_of_its_sync_mirror(tmp_path: Path) -> None:
    # the client library's sync and asyncio APIs, each with its test: no helper can hold
    # steps that await in one and not in the other
    files = {"tests/test_queue.py": SYNC_QUEUE, "tests/aio/test_queue.py": ASYNC_QUEUE}
    check("TA504", Valid(files=files), tmp_path)


def test_two_sync_versions_of_the_steps_are_still_near_copies(tmp_path: Path) -> None:
    other = SYNC_QUEUE.replace(
        'assert job.meta["retries"] == 3 and job.meta["priority"] == 5',
        "assert not job.done(strict=True)",
    )
    files = {"tests/test_queue.py": SYNC_QUEUE, "tests/aio/test_queue.py": other}
    check("TA504", Invalid(files=files, at=("tests/test_queue.py:1:1",)), tmp_path)


# -- TA503: fixtures whose names are something else in each file -----------------------

PER_FILE_APP = """\
import pytest

from web import App, Client

app = App(routes=[{route!r}])


@pytest.fixture
def client():
    with Client(app) as client:
        yield client


def test_home(client):
    assert client.get({route!r}).status == 200
"""

SHARED_APP = """\
import pytest

from web import Client
from web.demo import app


@pytest.fixture
def client():
    with Client(app) as client:
        yield client


def test_home(client):
    assert client.get({route!r}).status == 200
"""


def test_fixtures_over_each_modules_own_app_are_not_one_fixture(tmp_path: Path) -> None:
    # `app` is each module's own: one conftest copy would serve one app to every test
    files = {
        "tests/conftest.py": "",
        "tests/test_routing.py": PER_FILE_APP.format(route="/routes"),
        "tests/test_errors.py": PER_FILE_APP.format(route="/errors"),
    }
    check("TA503", Valid(files=files), tmp_path)


def test_fixtures_over_one_imported_app_are_still_copies(tmp_path: Path) -> None:
    files = {
        "tests/conftest.py": "",
        "tests/test_routing.py": SHARED_APP.format(route="/routes"),
        "tests/test_errors.py": SHARED_APP.format(route="/errors"),
    }
    check(
        "TA503",
        Invalid(
            files=files,
            at=("tests/test_errors.py:8:1", "tests/test_routing.py:8:1"),
            message="move `client` to tests/conftest.py",
        ),
        tmp_path,
    )


PER_FILE_RESOURCE = """\
import pytest


class ThingsResource:
    kind = {kind!r}


@pytest.fixture
def things():
    return ThingsResource()


def test_kind(things):
    assert things.kind
"""


def test_fixtures_over_a_class_of_each_file_are_not_one_fixture(tmp_path: Path) -> None:
    files = {
        "tests/test_get.py": PER_FILE_RESOURCE.format(kind="get"),
        "tests/test_custom.py": PER_FILE_RESOURCE.format(kind="custom"),
    }
    check("TA503", Valid(files=files), tmp_path)


CLASS_SCHEMA = """\
import pytest


class TestDump:
    class MySchema:
        fields = {fields!r}

    @pytest.fixture
    def schema(self):
        return self.MySchema()

    def test_fields(self, schema):
        assert schema.fields
"""


def test_method_fixtures_reading_self_stay_in_their_classes(tmp_path: Path) -> None:
    # `self.MySchema` is each class's own; a conftest function has no `self`
    files = {
        "tests/test_fields.py": CLASS_SCHEMA.format(fields=("a",)),
        "tests/test_schema.py": CLASS_SCHEMA.format(fields=("b",)),
    }
    check("TA503", Valid(files=files), tmp_path)


def test_method_fixtures_not_reading_self_are_still_copies(tmp_path: Path) -> None:
    files = {
        name: CLASS_SCHEMA.format(fields=("a",))
        .replace("return self.MySchema()", "return make_schema()")
        .replace("import pytest\n", "import pytest\n\nfrom app import make_schema\n")
        for name in ("tests/test_fields.py", "tests/test_schema.py")
    }
    check(
        "TA503",
        Invalid(files=files, at=("tests/test_fields.py:11:5", "tests/test_schema.py:11:5")),
        tmp_path,
    )


# -- TA501/TA502: other literals over each module's own fixture ------------------------

OWN_CLIENT = """\
import pytest

from web import App, Client


@pytest.fixture
def client():
    return Client(App({name!r}))


def test_{name}_page(client):
    response = client.get({path!r})
    assert response.status_code == {status}
    assert response.text == {text!r}
"""

PAGE = """\
def test_{name}_page(client):
    response = client.get({path!r})
    assert response.status_code == {status}
    assert response.text == {text!r}
"""


def test_other_checks_over_each_modules_own_client_are_other_tests(tmp_path: Path) -> None:
    # the idiom of an HTTP test over each module's app: not cases of one test
    files = {
        "tests/test_endpoints.py": OWN_CLIENT.format(
            name="user", path="/users/ada", status=200, text="Hello, ada!"
        ),
        "tests/test_exceptions.py": OWN_CLIENT.format(
            name="teapot", path="/teapot", status=418, text=""
        ),
    }
    check("TA501", Valid(files=files), tmp_path)
    check("TA502", Valid(files=files), tmp_path / "502")


def test_other_literals_over_one_client_are_still_cases_of_one_test(tmp_path: Path) -> None:
    files = {
        "tests/conftest.py": OWN_CLIENT.split("\n\n\ndef test_")[0] + "\n",
        "tests/test_endpoints.py": PAGE.format(
            name="user", path="/users/ada", status=200, text="Hello, ada!"
        ),
        "tests/test_exceptions.py": PAGE.format(name="teapot", path="/teapot", status=418, text=""),
    }
    check(
        "TA502",
        Invalid(files=files, at=("tests/test_endpoints.py:1:1",), message="parametrize as"),
        tmp_path,
    )


# -- TA502: cases that run under other conditions -------------------------------------

SUBSCRIPTIONS = """\
import pytest

from tests.helpers import skip_if_server_older_than


class TestSubscriptions:
    def test_patterns(self, server):
        data = make_subscription(server, "pattern")
        self.check_subscribed(**data)

    @skip_if_server_older_than("7.0")
    def test_shard_channels(self, server):
        data = make_subscription(server, "shard_channel")
        self.check_subscribed(**data)
"""


def test_cases_skipped_on_other_conditions_keep_their_marks(tmp_path: Path) -> None:
    # not "one name imported from different places": the skip decorator is a condition
    files = {
        "tests/helpers.py": "def skip_if_server_older_than(v):\n    return lambda f: f\n",
        "tests/test_subscriptions.py": SUBSCRIPTIONS,
    }
    check(
        "TA502",
        Invalid(
            files=files,
            at=("tests/test_subscriptions.py:7:5",),
            message="they run under other conditions (`skip_if_server_older_than` on 1 of 2): "
            "give those cases their marks",
        ),
        tmp_path,
    )


# -- TA502: a plain class whose unread base is named like a TestCase --------------------

PARSER_TESTS = """\
from parsers.testing import CommonTestCase


class TestFlaskParser(CommonTestCase):
    def test_view_args(self, testapp):
        assert testapp.get("/echo_view_arg/42").json == {"view_arg": 42}

    def test_use_args_view_args(self, testapp):
        assert testapp.get("/echo_view_arg_use_args/42").json == {"view_arg": 42}
"""


def test_tests_requesting_fixtures_are_parametrized_not_subtests(tmp_path: Path) -> None:
    check(
        "TA502",
        Invalid(
            files={"tests/test_flaskparser.py": PARSER_TESTS},
            at=("tests/test_flaskparser.py:5:5",),
            message="parametrize as `test_",
        ),
        tmp_path,
    )


def test_unittest_methods_are_still_merged_with_subtests(tmp_path: Path) -> None:
    code = (
        PARSER_TESTS.replace("from parsers.testing import CommonTestCase", "import unittest")
        .replace("(CommonTestCase)", "(unittest.TestCase)")
        .replace(", testapp):", "):")
        .replace("testapp.get", "self.app.get")
    )
    check(
        "TA502",
        Invalid(
            files={"tests/test_flaskparser.py": code},
            at=("tests/test_flaskparser.py:5:5",),
            message="`self.subTest`",
        ),
        tmp_path,
    )


INT_AND_STR_COLUMNS = """\
import pytest

from app import Model, save_and_load


@pytest.fixture
def int_model():
    return Model(kind="int")


@pytest.fixture
def str_model():
    return Model(kind="str")


def test_int_list(int_model):
    saved = save_and_load(int_model, [1, 2, 3], flush=True, refresh=True)
    assert saved.values == [1, 2, 3]
    assert saved.kind == "int"
    assert saved.history(limit=10) == [{"values": [1, 2, 3], "kind": "int"}]


def test_str_list(str_model):
    saved = save_and_load(str_model, ["a", "b", "c"], flush=True, refresh=True)
    assert saved.values == ["a", "b", "c"]
    assert saved.kind == "str"
    assert saved.history(limit=10) == [{"values": ["a", "b", "c"], "kind": "str"}]
"""


def test_other_literals_over_a_modules_own_fixtures_are_still_one_test(tmp_path: Path) -> None:
    # in one module, the same steps over its int and str models: one parametrized test
    check(
        "TA501",
        Invalid(
            files={"tests/test_lists.py": INT_AND_STR_COLUMNS},
            at=("tests/test_lists.py:23:1",),
            message="over other fixtures (`int_model`, `str_model`): consider merging",
        ),
        tmp_path,
    )
