"""TA401 sleep-in-test."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from auditor.api import (
    FileView,
    Finding,
    FunctionView,
    Invalid,
    Rule,
    Severity,
    Valid,
    walk_local,
)

from ._marks import marked_as_timing
from ._numbers import number

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


def _seconds(call: ast.Call) -> float | None:
    """The delay of a sleep when it is a number literal."""
    first = call.args[0] if call.args else None
    if first is None:
        first = next(
            (k.value for k in call.keywords if k.arg in ("seconds", "delay", "secs")), None
        )
    return number(first)


CLOCK_TICK = 0.001
"""A sleep this short waits for nothing but the clock to move on (each row its own
timestamp): it costs nothing and cannot come too early."""
SHORT_WAIT = 0.5
"""Below this a wait out of an expiry is cheap enough to leave in an unmarked test."""
EXPIRY_NAME = re.compile(r"expire|set_?ttl", re.IGNORECASE)
"""Calls that give something a time to live (`expire`, `pexpireat`, `set_ttl`), not
those that read it (`ttl`, `pttl`)."""
EXPIRY_KEYWORDS = frozenset(
    {"ex", "px", "exat", "pxat", "ttl", "expire", "expires", "expiry", "expire_after"}
)
"""Keywords that give a stored value a time to live (`r.set(k, v, ex=1)`)."""
ABSENT = frozenset({"assertIsNone", "assertFalse", "assertNotIn"})


def _sets_expiry(call: ast.Call) -> bool:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return bool(EXPIRY_NAME.search(str(name))) or any(
        keyword.arg in EXPIRY_KEYWORDS for keyword in call.keywords
    )


def _asserts_absence(node: ast.AST) -> bool:
    """`assert x is None`, `assert not x`, `assert k not in d`, `assert x == []`,
    `self.assertIsNone(x)`: the check holds once something is gone."""
    if isinstance(node, ast.Call):
        return isinstance(node.func, ast.Attribute) and node.func.attr in ABSENT
    if not isinstance(node, ast.Assert):
        return False
    test = node.test
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return True
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return False
    op, right = test.ops[0], test.comparators[0]
    if isinstance(op, ast.NotIn):
        return True
    empty = isinstance(right, ast.List | ast.Tuple | ast.Dict) and not (
        right.keys if isinstance(right, ast.Dict) else right.elts
    )
    nothing = isinstance(right, ast.Constant) and right.value in (None, False)
    return isinstance(op, ast.Is | ast.Eq) and (nothing or empty)


def _is_check(node: ast.AST) -> bool:
    return isinstance(node, ast.Assert) or (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr.startswith("assert")
    )


def _waits_out_expiry(view: FunctionView, call: ast.Call) -> bool:
    """Whether the sleep only lets a time to live that the test gave something run out:
    a call before it sets an expiry (`r.set(k, v, ex=1)`, `r.pexpire(k, 150)`) and the
    first check after it says the thing is gone (`assert r.get(k) is None`). A slow or
    busy machine only makes such a wait safer; a check that the thing is still there
    (`== b"bar"`) is the one a stall breaks, and stays reported."""
    line = call.lineno
    nodes = list(walk_local(view.node))
    if not any(isinstance(n, ast.Call) and n.lineno < line and _sets_expiry(n) for n in nodes):
        return False
    after = [
        (n.lineno, n.col_offset, n)
        for n in nodes
        if isinstance(n, ast.stmt | ast.expr) and n.lineno > line and _is_check(n)
    ]
    if not after:
        return False
    return _asserts_absence(min(after, key=lambda found: found[:2])[2])


INTERVAL_KEYWORD = re.compile(r"timeout|delay|interval|lifetime|ttl|idle|expir", re.IGNORECASE)
"""Keywords that give something a duration after which it acts on its own
(`failover_delay=0.1`, `auto_fallback_interval=0.1`, a lock's `timeout=0.1`)."""


def _outlasts_interval(view: FunctionView, call: ast.Call, seconds: float) -> bool:
    """Whether a short sleep just outlasts a duration in seconds that a call before it
    gave something (`Executor(..., fallback_interval=0.1)` ... `sleep(0.15)`): it lets
    that duration run out, and a slow machine only lets it run out further."""
    for node in walk_local(view.node):
        if not isinstance(node, ast.Call) or node.lineno >= call.lineno:
            continue
        for keyword in node.keywords:
            value = keyword.value
            if (
                keyword.arg is not None
                and INTERVAL_KEYWORD.search(keyword.arg)
                and not keyword.arg.endswith("_ms")
                and isinstance(value, ast.Constant)
                and isinstance(value.value, int | float)
                and not isinstance(value.value, bool)
                and 0 < value.value < seconds <= 2 * value.value
            ):
                return True
    return False


def _harmless(view: FunctionView, call: ast.Call) -> bool:
    """A sleep of a clock tick (`sleep(0.001)`: the next row gets its own timestamp), a
    short one that just outlasts a delay or interval the test gave a call
    (`_outlasts_interval`), or one that waits out an expiry the test set
    (`_waits_out_expiry`) in a test marked as slow (the suite runs it apart) or for less
    than half a second."""
    seconds = _seconds(call)
    if seconds is not None and seconds <= CLOCK_TICK:
        return True
    if seconds is not None and seconds < SHORT_WAIT and _outlasts_interval(view, call, seconds):
        return True
    if not _waits_out_expiry(view, call):
        return False
    return marked_as_timing(view) or (seconds is not None and seconds < SHORT_WAIT)


CLOCKS = frozenset({"time.time", "time.monotonic", "time.perf_counter"})


def _clock_only(file: FileView, test: ast.expr) -> bool:
    """Whether a loop condition reads nothing but the clock and local values
    (`time.time() - start < delay`): the loop waits for a time, not for a condition."""
    calls = [n for n in ast.walk(test) if isinstance(n, ast.Call)]
    return (
        bool(calls)
        and all(file.qualified(c.func) in CLOCKS and not c.args for c in calls)
        and not any(
            isinstance(n, ast.Attribute) and not any(n is c.func for c in calls)
            for n in ast.walk(test)
        )
    )


def _rereads(loop: ast.While) -> bool:
    """Whether the loop's condition reads a name its body binds again from a call
    (``while value not in expected and time.monotonic() < deadline:`` ...
    ``value = read()``): a value fetched anew each turn, so the loop polls it."""
    read = {n.id for n in ast.walk(loop.test) if isinstance(n, ast.Name)}
    return any(
        isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Call | ast.Await)
        and any(isinstance(t, ast.Name) and t.id in read for t in node.targets)
        for statement in loop.body
        for node in ast.walk(statement)
    )


def _polls(file: FileView, call: ast.Call, stop: ast.AST) -> bool:
    """Whether the sleep waits between checks of a condition: inside a `while` loop on a
    condition (`while not ready() and time.monotonic() < deadline:`), or a loop left by a
    `break` or `return` (`for _ in range(50): if ready(): break; time.sleep(0.1)`). A
    loop on the clock alone (`while time.time() - start < 2:`) checks no condition."""
    node: ast.AST | None = file.parent(call)
    while node is not None and node is not stop:
        if (
            isinstance(node, ast.While)
            and not (isinstance(node.test, ast.Constant) and node.test.value)
            and (not _clock_only(file, node.test) or _rereads(node))
        ):
            return True
        if isinstance(node, ast.While | ast.For | ast.AsyncFor) and any(
            isinstance(inner, ast.Break | ast.Return)
            for statement in node.body
            for inner in ast.walk(statement)
        ):
            return True
        node = file.parent(node)
    return False


def _waits(file: FileView, function: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.Call | None:
    """The sleep a helper always makes, for a fixed time: a sleep of its own body (not
    of a nested function), not in an `if`, not a poll."""
    for node in walk_local(function):
        if (
            isinstance(node, ast.Call)
            and file.qualified(node.func) in SLEEPS
            and not _zero(node)
            and not _polls(file, node, function)
        ):
            parent = file.parent(node)
            while parent is not None and parent is not function and not isinstance(parent, ast.If):
                parent = file.parent(parent)
            if parent is function:
                return node
    return None


def _waiting_helper(file: FileView, call: ast.Call) -> tuple[str, int] | None:
    """For a call of a function of the module, or of one imported from a module of the
    project, that always sleeps a fixed time (`with window(2, delay=1.3):`): where it
    sleeps."""
    if not isinstance(call.func, ast.Name):
        return None
    found = file.defined(call.func.id)
    if found is None or not isinstance(found[1], (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    owner, node = found[0], found[1]
    if "sleep" not in owner.text:
        return None
    sleep = _waits(owner, node)
    return (owner.path, sleep.lineno) if sleep is not None else None


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
    are left alone, as is `sleep(0)`, and so is the short wait of a poll: a sleep in a
    `while` loop on a condition (`while not ready() and time.monotonic() < deadline:`,
    or `while value != want and time.monotonic() < deadline:` with `value = read()` in
    the loop) or in a loop left by `break`/`return` once the condition holds. A loop on
    the clock alone (`while time.time() - start < 2: time.sleep(0.01)`) is a fixed wait, and so
    is a call of a helper of the module or of the project that always makes one (`with
    window(2):` where `window` sleeps until its end). A sleep of a millisecond or less
    only lets the clock tick (each row its own timestamp) and is left alone. So is a wait
    out of an expiry the test set (`r.set(k, v, ex=1)`, `r.pexpire(k, 150)`, then a
    check that the value is gone, `assert r.get(k) is None`) in a test marked slow
    (`slow`, `performance`...: the suite runs it apart) or shorter than half a second: a
    busy machine only makes it safer. A check that the value is still there after the
    wait is what a stall breaks, and stays reported. A wait shorter than half a second
    that just outlasts (by at most twice) a delay, interval or timeout the test gave a
    call before it (`fallback_interval=0.1` ... `sleep(0.15)`) lets that run out, which a
    busy machine only makes surer, and is left alone too.

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
        # polling with a timeout, in the test itself
        Valid(
            "import time\n\n\ndef test_started(marker):\n"
            "    deadline = time.monotonic() + 60\n"
            "    while not marker.exists() and time.monotonic() < deadline:\n"
            "        time.sleep(0.1)\n    assert marker.exists()\n\n\n"
            "def test_retried(job):\n    for _ in range(50):\n        if job.done():\n"
            "            break\n        time.sleep(0.1)\n    assert job.done()\n"
        ),
        Valid(
            "import asyncio\n\n\nasync def test_yield():\n    await asyncio.sleep(0)\n"
            "    assert True\n"
        ),
        Valid(
            "import time\n\n\ndef test_slow_server(server):\n    def handler():\n"
            "        time.sleep(0.5)\n        return 'ok'\n\n    server.handle = handler\n"
            "    assert server.get() == 'ok'\n"
        ),
        # a clock tick, and waits out an expiry: in a slow test, or a short one
        Valid(
            "import time\n\nimport pytest\n\n\ndef test_stamps(store):\n"
            "    store.put('a')\n    time.sleep(0.001)\n    store.put('b')\n"
            "    assert store.count() == 2\n\n\n"
            "@pytest.mark.slow\ndef test_expires(r):\n    r.set('k', 'v', ex=1)\n"
            "    time.sleep(1.5)\n    assert r.get('k') is None\n\n\n"
            "def test_expires_soon(r):\n    r.pexpire('k', 100)\n    time.sleep(0.15)\n"
            "    assert not r.exists('k')\n"
        ),
        Valid(
            "import time\n\n\ndef wait_for(predicate):\n    while not predicate():\n"
            "        time.sleep(0.01)\n\n\ndef test_ready():\n    wait_for(lambda: True)\n"
            "    assert True\n"
        ),
        # a helper polling a value it reads again each turn; a short wait just past an
        # interval the test configured
        Valid(
            "import time\n\n\ndef wait_for_value(read, want, timeout=3.0):\n"
            "    deadline = time.monotonic() + timeout\n    value = read()\n"
            "    while value != want and time.monotonic() < deadline:\n"
            "        time.sleep(0.05)\n        value = read()\n    return value\n\n\n"
            "def test_invalidated(cache):\n    assert wait_for_value(cache.get, 2) == 2\n\n\n"
            "def test_fallback(make_executor):\n"
            "    executor = make_executor(fallback_interval=0.1)\n    time.sleep(0.15)\n"
            "    assert executor.active == 'primary'\n"
        ),
    )
    INVALID = (
        # a wait far past the interval, or one the test gave no interval to outlast
        Invalid(
            "import time\n\n\ndef test_fallback(make_executor):\n"
            "    executor = make_executor(fallback_interval=0.1)\n    time.sleep(0.45)\n"
            "    assert executor.active == 'primary'\n\n\n"
            "def test_started(worker):\n    worker.start(timeout=0.5)\n    time.sleep(0.2)\n"
            "    assert worker.ready\n",
            at=("test_example.py:6:5", "test_example.py:12:5"),
            message="`time.sleep(0.45)` in test `test_fallback`",
        ),
        # a loop that sleeps a fixed number of times checks nothing in between
        Invalid(
            "import time\n\n\ndef test_job(job):\n    for _ in range(3):\n"
            "        time.sleep(1)\n    assert job.done\n",
            at=("test_example.py:6:9",),
            message="waits a fixed time",
        ),
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
                helper = None
                if qualified not in SLEEPS:
                    helper = _waiting_helper(file, node)
                    if helper is None:
                        continue
                elif _zero(node) or _polls(file, node, view.node) or _harmless(view, node):
                    continue
                text = " ".join(ast.unparse(node).split())
                if len(text) > 40:
                    text = text[:37] + "..."
                how = "" if helper is None else f" (it sleeps at {helper[0]}:{helper[1]})"
                yield self.at(
                    file,
                    node,
                    f"`{text}` in {view.label} waits a fixed time{how}: slow on every run "
                    "and flaky when the machine is busy; poll for the condition with a "
                    "timeout, or control the clock (time-machine, freezegun) instead",
                )
