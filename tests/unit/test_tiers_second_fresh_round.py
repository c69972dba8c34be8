"""Tiers on suites nobody here tuned on, seventh round (issue 14): the general patterns
behind the misses of the tuning half (pytest-httpserver 1.2.1, httpretty 1.1.4), each on a
small suite written to disk."""

from __future__ import annotations

from pathlib import Path

from auditor.analysis.tier_model import Tiers
from auditor.pipeline import analyse_path
from auditor.testing import write_tree


def tiers_of(tmp_path: Path, files: dict[str, str]) -> Tiers:
    write_tree(tmp_path, {"pytest.ini": "[pytest]\n", **files})
    return analyse_path(tmp_path).tiers


def decisive(tiers: Tiers, nodeid: str) -> str:
    return str(tiers.tests[nodeid].evidence[0])


SERVER = """\
from werkzeug.serving import make_server


class Server:
    def __init__(self, app):
        self.app = app
        self.server = None

    def start(self):
        self.server = make_server("localhost", 0, self.app)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
"""


def test_a_werkzeug_server_the_project_starts_is_a_live_server(tmp_path: Path) -> None:
    """pytest-httpserver: the module's own `httpserver` fixture starts a
    BlockingHTTPServer, a context manager whose `start` serves through werkzeug's
    `make_server`."""
    tiers = tiers_of(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/server.py": SERVER,
            "tests/test_server.py": (
                "import pytest\nfrom werkzeug import Request\n\nfrom app.server import Server\n\n\n"
                "@pytest.fixture\ndef server():\n"
                "    with Server(object()) as server:\n        yield server\n\n\n"
                "def test_served(server):\n    assert server.server\n\n\n"
                "def test_request_only():\n    assert Request.from_values('/').path\n"
            ),
        },
    )
    served = "tests/test_server.py::test_served"
    assert tiers.tests[served].tier == "integration"
    assert "`werkzeug.serving.make_server`" in decisive(tiers, served)
    assert tiers.tests["tests/test_server.py::test_request_only"].tier == "unit"


def test_a_socket_opened_while_httpretty_is_enabled_is_its_fake(tmp_path: Path) -> None:
    """httpretty's tests/unit/test_httpretty.py: `HTTPretty.enable()` patches
    `socket.socket`, so the socket the test opens next is httpretty's fake."""
    tests = (
        "import socket\nfrom unittest.mock import MagicMock\n\n"
        "from httpretty import HTTPretty\n\n\n"
        "def test_faked():\n    HTTPretty.enable()\n"
        "    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
        "    s.truesock = MagicMock()\n    assert s\n\n\n"
        "def test_real():\n    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
        "    assert s\n"
    )
    tiers = tiers_of(tmp_path, {"test_sockets.py": tests})
    assert tiers.tests["test_sockets.py::test_faked"].tier == "unit"
    assert "httpretty" in decisive(tiers, "test_sockets.py::test_faked")
    assert tiers.tests["test_sockets.py::test_real"].tier == "integration"


def test_httpretty_still_mocks_http(tmp_path: Path) -> None:
    tests = (
        "import httpretty\nimport requests\n\n\n@httpretty.activate\n"
        "def test_get():\n    httpretty.register_uri(httpretty.GET, 'http://x.test/')\n"
        "    assert requests.get('http://x.test/')\n"
    )
    tiers = tiers_of(tmp_path, {"test_http.py": tests})
    assert tiers.tests["test_http.py::test_get"].tier == "unit"


def test_sures_within_decorator_is_a_timed_assertion(tmp_path: Path) -> None:
    """httpretty's functional tests: `@within(two=miliseconds)` times the test and fails
    it past the budget; it decides over the functional/ folder and the mocked HTTP."""
    tests = (
        "import httpretty\nimport requests\nfrom sure import within, miliseconds\n\n\n"
        "@httpretty.activate\n@within(two=miliseconds)\n"
        "def test_fast(now):\n    httpretty.register_uri(httpretty.GET, 'http://x.test/')\n"
        "    assert requests.get('http://x.test/')\n\n\n"
        "@httpretty.activate\n"
        "def test_plain():\n    httpretty.register_uri(httpretty.GET, 'http://x.test/')\n"
        "    assert requests.get('http://x.test/')\n"
    )
    tiers = tiers_of(tmp_path, {"tests/functional/test_timed.py": tests})
    fast = "tests/functional/test_timed.py::test_fast"
    assert tiers.tests[fast].tier == "performance"
    assert "`sure.within`" in decisive(tiers, fast)
    assert tiers.tests["tests/functional/test_timed.py::test_plain"].tier == "unit"
