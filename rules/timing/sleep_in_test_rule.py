"""TA401 sleep-in-test."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from auditor.api import FileView, Finding, Invalid, Rule, Severity, Valid, walk_local

SLEEPS = frozenset(
    {
        "time.sleep",
        "asyncio.sleep",
        "trio.sleep",
        "anyio.sleep",
        "gevent.sleep",
        "eventlet.sleep",
    }
)


def _zero(call: ast.Call) -> bool:
    """`sleep(0)`: a yield to other tasks or threads, no wait."""
    if not call.args:
        return not any(k.arg in ("seconds", "delay", "secs") for k in call.keywords)
    first = call.args[0]
    return isinstance(first, ast.Constant) and first.value in (0, 0.0)


class SleepInTest(Rule):
    """
    ## What it does
    Finds `time.sleep(...)` (also imported as `sleep`, or through an alias of `time`) and
    `asyncio.sleep(...)` / `trio.sleep` / `anyio.sleep` with a non-zero delay in the body
    of a test, a fixture or an xunit setup/teardown.

    ## Why is this bad?
    A fixed sleep makes every run slower by its length, and it is a guess: on a loaded
    CI machine the awaited thing takes longer and the test fails now and then, on a fast
    one the time is wasted. Sleeps inside nested functions (a fake slow server handler)
    are left alone, as is `sleep(0)`.

    ## Example
    ```python
    import time

    def test_job_finishes(queue):
        job = queue.submit("report")
        time.sleep(2)
        assert job.done
    ```
    Use instead:
    ```python
    def test_job_finishes(queue, wait_until):
        job = queue.submit("report")
        wait_until(lambda: job.done, timeout=5)
        assert job.done
    ```
    """

    code = "TA401"
    cache_scope = "file"
    name = "sleep-in-test"
    category = "timing"
    severity = Severity.WARNING

    VALID = (
        Valid(
            "import asyncio\n\n\nasync def test_yield():\n    await asyncio.sleep(0)\n"
            "    assert True\n"
        ),
        Valid(
            "import time\n\n\ndef test_slow_server(server):\n    def handler():\n"
            "        time.sleep(0.5)\n        return 'ok'\n\n    server.handle = handler\n"
            "    assert server.get() == 'ok'\n"
        ),
        Valid(
            "import time\n\n\ndef wait_for(predicate):\n    while not predicate():\n"
            "        time.sleep(0.01)\n\n\ndef test_ready():\n    wait_for(lambda: True)\n"
            "    assert True\n"
        ),
    )
    INVALID = (
        Invalid(
            "import time\n\n\ndef test_job():\n    time.sleep(2)\n    assert True\n",
            at=("test_example.py:5:5",),
            message="`time.sleep(2)` in test `test_job`",
        ),
        Invalid(
            "from time import sleep\nimport asyncio as aio\n\nimport pytest\n\n\n"
            "@pytest.fixture\ndef server():\n    sleep(1)\n    yield 1\n\n\n"
            "async def test_poll(server):\n    await aio.sleep(0.5)\n    assert server\n",
            at=("test_example.py:9:5", "test_example.py:14:11"),
            message="`sleep(1)` in fixture `server`",
        ),
    )

    def check_file(self, file: FileView) -> Iterator[Finding]:
        if not (file.is_test_module or file.is_conftest):
            return  # tests and fixtures live there; other modules are helpers
        if "sleep" not in file.text:
            return  # no call can be a sleep: spare walking every test
        for view in file.of_kind("test", "fixture", "xunit"):
            for node in walk_local(view.node):
                if not isinstance(node, ast.Call):
                    continue
                qualified = file.qualified(node.func)
                if qualified not in SLEEPS or _zero(node):
                    continue
                text = " ".join(ast.unparse(node).split())
                if len(text) > 40:
                    text = text[:37] + "..."
                yield self.at(
                    file,
                    node,
                    f"`{text}` in {view.label} waits a fixed time: slow on every run and "
                    "flaky when the machine is busy; poll for the condition with a timeout, "
                    "or control the clock (time-machine, freezegun) instead",
                )
