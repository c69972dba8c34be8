"""TA402 wall-clock-assertion."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from auditor.api import FileView, Finding, FunctionView, Invalid, Rule, Severity, Valid

from ._marks import marked_as_timing
from ._numbers import number
from ._project import project_function

CLOCKS = frozenset(
    {
        "time.time",
        "time.perf_counter",
        "time.monotonic",
        "time.process_time",
        "time.thread_time",
        "time.time_ns",
        "time.perf_counter_ns",
        "time.monotonic_ns",
        "time.process_time_ns",
        "timeit.default_timer",
        "datetime.datetime.now",
        "datetime.datetime.utcnow",
    }
)
"""Calls reading a clock."""
TIMERS = frozenset({"timeit.timeit", "timeit.repeat"})
"""Calls returning a measured duration."""
ELAPSED_METHODS = frozenset({"elapsed", "elapsed_time", "elapsed_seconds"})
MOCKED_CLOCK = re.compile(
    r"freeze_?time|time_machine|freezer|frozen|mock_timing|fake_?(time|clock)|"
    r"(patch|setattr)\([^)]*\btime\b",
    re.IGNORECASE,
)
"""A test that freezes or fakes the clock measures nothing real."""
ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
LIMIT_WORDS = re.compile(r"timeout|limit|threshold|max|budget|expected|allowed", re.IGNORECASE)
ASSERT_ORDERING = frozenset(
    {"assertLess", "assertLessEqual", "assertGreater", "assertGreaterEqual"}
)


TIMER_NAME = re.compile(r"timer|stopwatch|timing|chrono|elapsed", re.IGNORECASE)
"""Classes and context managers that measure a duration (``with Stopwatch() as sw``)."""
NOT_TIMERS = frozenset({"threading.Timer"})
DURATION_ATTRIBUTE = re.compile(
    r"elapsed|seconds?$|secs$|duration|interval|^ms$|millis|^took$|^time(it)?$|^total",
    re.IGNORECASE,
)
"""What a stopwatch calls its reading: ``sw.seconds``, ``timer.elapsed``, ``t.interval``."""


class _Durations:
    """Names in a test bound to clock readings and to durations computed from them,
    stopwatches (``with Stopwatch() as sw``: ``sw.seconds`` is a duration), and the
    module's own helpers that return a duration (``took = measure(run)``)."""

    def __init__(
        self,
        file: FileView,
        node: ast.AST,
        helpers: frozenset[str] = frozenset(),
        clock_helpers: frozenset[str] = frozenset(),
    ):
        self.file = file
        self.clocks: set[str] = set()
        self.durations: set[str] = set()
        self.timers: set[str] = set()
        self.helpers = helpers
        self.clock_helpers = clock_helpers
        assigns = [n for n in ast.walk(node) if isinstance(n, (ast.Assign, ast.AnnAssign))]
        self.assigns = assigns
        self.numbers = _numbers(assigns)
        for assign in assigns:
            if self._clock_call(assign.value):
                self.clocks.update(_targets(assign))
            elif self._timer_call(assign.value):
                self.timers.update(_targets(assign))
        for child in ast.walk(node):
            if isinstance(child, (ast.With, ast.AsyncWith)):
                for item in child.items:
                    var = item.optional_vars
                    if isinstance(var, ast.Name) and self._timer_call(item.context_expr):
                        self.timers.add(var.id)
        changed = True
        while changed:
            changed = False
            for assign in assigns:
                if assign.value is not None and self.has_duration(assign.value):
                    for name in _targets(assign):
                        if name not in self.durations:
                            self.durations.add(name)
                            changed = True

    def _clock_call(self, node: ast.AST | None) -> bool:
        if not isinstance(node, ast.Call):
            return False
        if isinstance(node.func, ast.Name) and node.func.id in self.clock_helpers:
            return True
        return self.file.qualified(node.func) in CLOCKS

    def _timer_call(self, node: ast.AST | None) -> bool:
        if not isinstance(node, ast.Call):
            return False
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return (
            isinstance(name, str)
            and bool(TIMER_NAME.search(name))
            and self.file.qualified(func) not in NOT_TIMERS
        )

    @property
    def measured(self) -> bool:
        """Whether the test reads a clock or a stopwatch at all."""
        return bool(self.clocks or self.timers)

    def _reading(self, node: ast.AST) -> bool:
        return self._clock_call(node) or (isinstance(node, ast.Name) and node.id in self.clocks)

    def has_duration(self, node: ast.AST) -> bool:
        """`end - start` of two clock readings, a name bound to a duration, or a
        `timeit` result, anywhere in `node`."""
        return any(self._is_duration(child) for child in ast.walk(node))

    def is_rate(self, node: ast.AST, seen: frozenset[str] = frozenset()) -> bool:
        """Whether `node` divides by a duration (``count / took``), itself or through the
        names it reads: a rate, which a slow machine makes smaller, not larger."""
        for child in ast.walk(node):
            if (
                isinstance(child, ast.BinOp)
                and isinstance(child.op, (ast.Div, ast.FloorDiv))
                and self.has_duration(child.right)
                and not self.has_duration(child.left)  # `sum(times) / len(times)`: a mean
            ):
                return True
            if isinstance(child, ast.Name) and child.id in self.durations and child.id not in seen:
                for assign in self.assigns:
                    if (
                        child.id in _targets(assign)
                        and assign.value is not None
                        and self.is_rate(assign.value, seen | {child.id})
                    ):
                        return True
        return False

    def _is_duration(self, node: ast.AST) -> bool:
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub):
            return self._reading(node.left) and self._reading(node.right)
        if isinstance(node, ast.Name):
            return node.id in self.durations
        if isinstance(node, ast.Attribute):
            return (
                isinstance(node.value, ast.Name)
                and node.value.id in self.timers
                and bool(DURATION_ATTRIBUTE.search(node.attr))
            )
        if not isinstance(node, ast.Call):
            return False
        if isinstance(node.func, ast.Attribute) and node.func.attr in ELAPSED_METHODS:
            return True  # `instant.elapsed()` of a stopwatch
        if isinstance(node.func, ast.Name) and node.func.id in self.helpers:
            return True
        return self.file.qualified(node.func) in TIMERS


def _targets(assign: ast.Assign | ast.AnnAssign) -> list[str]:
    targets = assign.targets if isinstance(assign, ast.Assign) else [assign.target]
    return [t.id for t in targets if isinstance(t, ast.Name)]


def _numbers(assigns: list[ast.Assign | ast.AnnAssign]) -> frozenset[str]:
    """Names the test binds only to number literals (``block_seconds = 5``)."""
    numbers: set[str] = set()
    other: set[str] = set()
    for assign in assigns:
        value = assign.value
        (numbers if number(value) is not None else other).update(_targets(assign))
    return frozenset(numbers - other)


def _limit(node: ast.AST, numbers: frozenset[str] = frozenset()) -> bool:
    """A fixed bound: a number in it, a name the test binds only to a number, or a
    constant-like or limit-like name."""
    for child in ast.walk(node):
        if (
            isinstance(child, ast.Constant)
            and isinstance(child.value, (int, float))
            and not isinstance(child.value, bool)
        ):
            return True
        name = (
            child.id
            if isinstance(child, ast.Name)
            else child.attr
            if isinstance(child, ast.Attribute)
            else ""
        )
        if isinstance(child, ast.Name) and child.id in numbers:
            return True
        if name and (name.isupper() or LIMIT_WORDS.search(name)):
            return True
    return False


def _short(node: ast.AST, limit: int = 60) -> str:
    text = " ".join(ast.unparse(node).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


CLOCK_WORDS = (
    "time",
    "perf_counter",
    "monotonic",
    "elapsed",
    "timeit",
    "duration",
    "clock",
    "stopwatch",
    "timing",
    "chrono",
)
"""Words of a file that may measure time (looked for in its lower-cased text)."""


class WallClockAssertion(Rule):
    """
    ## What it does
    Finds an assertion that compares an elapsed wall-clock time with a fixed bound
    (`assert elapsed < 0.5`, `self.assertLess(duration, 2)`), where the duration comes
    from `time.time()` / `perf_counter()` / `monotonic()` differences, `timeit`, a
    stopwatch (`with Stopwatch() as sw: ...; assert sw.seconds < 2`), a clock helper of
    the module or of the project (`def timer(): return time.perf_counter()`,
    `timer = time.perf_counter`; `took = timer() - start`) or a helper of the module or
    of the project that returns such a difference, directly or as a rate
    (`per_second = count / took`), in a test that is not marked as a performance test
    (a mark such as `performance`, `perf`, `benchmark`, `slow`). A context manager of the
    test class, the module or the project that measures its block and fails when it
    takes longer than the bound it is given (`with self.assertRunUnder(0.5):`) is such an
    assertion too.

    ## Why is this bad?
    Wall-clock time depends on the machine, its load and the interpreter: the test fails
    on a busy CI runner while nothing is wrong with the code, and the functional suite
    grows flaky. Tests that freeze or fake the clock are left alone, and so is a bound of
    a second or more below a timeout the test gives a call (`ps.get_message(timeout=5)`
    ... `assert elapsed < 2.5`), or at least twice that timeout
    (`ps.get_message(timeout=0.1)` ... `assert elapsed < 1.0`): it tells a call that woke
    up, or kept to its timeout, from one that hung, which no slow machine turns into the
    other.

    ## Example
    ```python
    import time

    def test_query_speed(repository):
        start = time.perf_counter()
        repository.search("x")
        assert time.perf_counter() - start < 0.5
    ```
    Use instead:
    ```python
    import pytest

    @pytest.mark.performance
    def test_query_speed(benchmark, repository):
        benchmark(repository.search, "x")
        assert benchmark.stats["mean"] < 0.5
    ```

    ## References
    - pytest-benchmark, "Usage":
      <https://pytest-benchmark.readthedocs.io/en/latest/usage.html>
    """

    code = "TA402"
    cache_scope = "file"
    name = "wall-clock-assertion"
    category = "timing"
    severity = Severity.WARNING

    VALID = (
        # the project's helpers that count things, not time: a difference of two counts
        Valid(
            "from app.metrics import now, queries\n\n\n"
            "def test_one_query(db):\n    start = queries()\n    db.load()\n"
            "    assert queries() - start < 2\n    assert now() > 0\n",
            files={
                "app/__init__.py": "",
                "app/metrics.py": "import time\n\nLOG = []\n\n\n"
                "def queries():\n    return len(LOG)\n\n\n"
                "def now():\n    return time.time()\n",
            },
        ),
        # a timer that is no stopwatch, and a helper returning a timestamp
        Valid(
            "import threading\nimport time\n\n\ndef stamp():\n    return time.time()\n\n\n"
            "def test_timer():\n    timer = threading.Timer(0.1, print)\n"
            "    assert timer.interval < 1\n    assert stamp() > 0\n"
        ),
        Valid(
            "import time\n\nimport pytest\n\n\n@pytest.mark.performance\n"
            "def test_speed():\n    start = time.time()\n    sum(range(10))\n"
            "    assert time.time() - start < 0.5\n"
        ),
        # a generous bound below the timeout given to the call: woke up, or timed out
        Valid(
            "import time\n\n\ndef test_wakes(ps):\n    start = time.monotonic()\n"
            "    message = ps.get_message(timeout=5)\n"
            "    assert time.monotonic() - start < 2.5\n    assert message\n"
        ),
        # a generous bound over the timeout the call keeps to; a context manager that
        # only logs the time it took
        Valid(
            "import contextlib\nimport time\n\n\n@contextlib.contextmanager\n"
            "def timed(label):\n    start = time.monotonic()\n    yield\n"
            "    print(label, time.monotonic() - start)\n\n\n"
            "def test_returns(ps):\n    start = time.monotonic()\n"
            "    assert ps.get_message(timeout=0.1) is None\n"
            "    assert time.monotonic() - start < 1.0\n\n\n"
            "def test_logged(ps):\n    with timed('get'):\n"
            "        assert ps.get_message() is None\n"
        ),
        Valid(
            "import time\n\n\ndef test_timestamp():\n    before = time.time()\n"
            "    stamp = time.time()\n    assert stamp >= before\n"
        ),
        Valid(
            "import time\n\n\ndef test_frozen(time_machine):\n    start = time.time()\n"
            "    time_machine.shift(10)\n    assert time.time() - start >= 10\n"
        ),
    )
    INVALID = (
        # a context manager of a project base class that fails over the bound it is given
        Invalid(
            "from app.testbase import TestCase\n\nMAX_RUNTIME = 0.5\n\n\n"
            "class TestTimeouts(TestCase):\n    def test_cancel(self):\n"
            "        with self.assertRunUnder(MAX_RUNTIME):\n            self.db.cancel()\n",
            files={
                "app/__init__.py": "",
                "app/testbase.py": "import contextlib\nimport time\nimport unittest\n\n\n"
                "class TestCase(unittest.TestCase):\n    @contextlib.contextmanager\n"
                "    def assertRunUnder(self, delta):\n        started = time.monotonic()\n"
                "        yield\n        elapsed = time.monotonic() - started\n"
                "        if elapsed > delta:\n            raise AssertionError(elapsed)\n",
            },
            at=("test_example.py:8:14",),
            message="(app/testbase.py:8 compares the elapsed time)",
        ),
        # a stopwatch of the project, in a file that never names `time`
        Invalid(
            "from app.stopwatch import Stopwatch\n\n\n"
            "def test_fast(db):\n    with Stopwatch() as sw:\n        db.load()\n"
            "    assert sw.seconds < 2\n",
            files={"app/__init__.py": "", "app/stopwatch.py": ""},
            at=("test_example.py:7:5",),
            message="`sw.seconds < 2` compares a wall-clock duration",
        ),
        # the project's own clock helpers: a function reading `perf_counter` and an
        # alias of it
        Invalid(
            "from app.timing import clock, timer\n\n\n"
            "def test_search(db):\n    start = timer()\n    db.search('x')\n"
            "    took = timer() - start\n    assert took < 2\n\n\n"
            "def test_load(db):\n    t0 = clock()\n    db.load()\n"
            "    assert clock() - t0 <= 0.5\n",
            files={
                "app/__init__.py": "",
                "app/timing.py": "import time\n\nclock = time.perf_counter\n\n\n"
                "def timer():\n    return time.perf_counter()\n",
            },
            at=("test_example.py:8:5", "test_example.py:14:5"),
            message="`took < 2` compares a wall-clock duration in test `test_search`",
        ),
        # a stopwatch context manager, a rate computed from a duration and a helper
        # that returns one
        Invalid(
            "import time\n\nfrom app.timing import Stopwatch\n\n\n"
            "def timed(fn):\n    start = time.perf_counter()\n    fn()\n"
            "    return time.perf_counter() - start\n\n\n"
            "def test_fast(db):\n    with Stopwatch() as sw:\n        db.load()\n"
            "    assert sw.seconds < 2\n\n\n"
            "def test_rate(db):\n    count = 10_000\n    took = timed(db.load)\n"
            "    per_second = count / took\n    assert per_second > 1000\n",
            at=("test_example.py:15:5", "test_example.py:22:5"),
            message="`sw.seconds < 2` compares a wall-clock duration",
        ),
        Invalid(
            "import asyncio\nimport time\n\n\nasync def test_load(registry):\n"
            "    async def query():\n        start_time = time.time()\n"
            "        await registry.all()\n        duration = time.time() - start_time\n"
            "        return duration\n\n    results = await asyncio.gather(query(), query())\n"
            "    durations = [duration for duration in results]\n"
            "    avg_duration = sum(durations) / len(durations)\n"
            "    assert avg_duration < 0.5\n",
            at=("test_example.py:15:5",),
            message="`avg_duration < 0.5` compares a wall-clock duration",
        ),
        Invalid(
            "import unittest\nfrom time import perf_counter as clock\n\n\n"
            "class TestSpeed(unittest.TestCase):\n    def test_sort(self):\n"
            "        t0 = clock()\n        sorted(range(1000))\n        elapsed = clock() - t0\n"
            "        self.assertLess(elapsed, 0.1)\n",
            at=("test_example.py:10:9",),
            message="in test `test_sort`",
        ),
    )

    def check_file(self, file: FileView) -> Iterator[Finding]:
        if not (file.is_test_module or file.is_conftest):
            return  # tests and fixtures live there; other modules are helpers
        text = file.text.lower()
        if not any(clock in text for clock in CLOCK_WORDS):
            return  # no clock is read: spare walking every test
        helpers: tuple[frozenset[str], frozenset[str]] | None = None
        for view in file.of_kind("test"):
            if self._exempt(file, view):
                continue
            for call, where in _bounding_contexts(file, view):
                yield self.at(
                    file,
                    call,
                    f"`{_short(call)}` fails test `{view.name}` when its block runs longer "
                    f"than a fixed wall-clock bound ({where} compares the elapsed time): "
                    "it fails on a slow or busy machine while the code is fine; move it "
                    "to a test marked `performance` that runs apart, or check the "
                    "outcome (a timeout raised, a task cancelled) instead of the time",
                )
            durations: _Durations | None = None
            for node in ast.walk(view.node):
                compared = _compared(node)
                if compared is None:
                    continue
                if helpers is None:
                    helpers = _duration_helpers(file)
                if durations is None:
                    durations = _Durations(file, view.node, *helpers)
                if not durations.measured and not _has_timer(file, view.node, helpers[0]):
                    break
                if _bounded_duration(durations, compared) and not _below_a_timeout(
                    view.node, compared
                ):
                    yield self.at(
                        file,
                        node,
                        f"`{_short(compared[0])}` compares a wall-clock duration in test "
                        f"`{view.name}`: it fails on a slow or busy machine while the code is "
                        "fine; move it to a test marked `performance` that runs apart, or "
                        "measure with pytest-benchmark",
                    )

    @staticmethod
    def _exempt(file: FileView, view: FunctionView) -> bool:
        if marked_as_timing(view):
            return True
        if "benchmark" in view.params:
            return True
        end = view.node.end_lineno or view.node.lineno
        first = view.node.decorator_list[0].lineno if view.node.decorator_list else view.node.lineno
        source = "\n".join(file.lines[first - 1 : end])
        return bool(MOCKED_CLOCK.search(source))


def _compared(node: ast.AST) -> tuple[ast.AST, ast.AST, ast.AST] | None:
    """(what to show, the left side, the right side) of an ordering assertion:
    `assert a < b` or `self.assertLess(a, b)`."""
    if isinstance(node, ast.Assert):
        test = node.test
        if (
            isinstance(test, ast.Compare)
            and len(test.ops) == 1
            and isinstance(test.ops[0], ORDERING)
        ):
            return test, test.left, test.comparators[0]
        return None
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ASSERT_ORDERING
        and len(node.args) >= 2
    ):
        return node, node.args[0], node.args[1]
    return None


def _has_timer(file: FileView, node: ast.AST, helpers: frozenset[str] = frozenset()) -> bool:
    return any(
        isinstance(child, ast.Call)
        and (
            file.qualified(child.func) in TIMERS
            or (isinstance(child.func, ast.Attribute) and child.func.attr in ELAPSED_METHODS)
            or (isinstance(child.func, ast.Name) and child.func.id in helpers)
        )
        for child in ast.walk(node)
    )


def _returns_duration(file: FileView, node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """``def timed(fn): start = perf_counter(); fn(); return perf_counter() - start``."""
    returns = [n.value for n in ast.walk(node) if isinstance(n, ast.Return) and n.value]
    if not returns:
        return False
    durations = _Durations(file, node)
    return durations.measured and any(
        durations.has_duration(value) and not isinstance(value, (ast.Tuple, ast.List))
        for value in returns
    )


def _reads_clock(file: FileView, node: ast.AST) -> bool:
    """A def whose every return is a clock reading (``return time.perf_counter()``), or
    a module-level alias of a clock (``timer = time.perf_counter``)."""
    if isinstance(node, ast.Assign):
        return file.qualified(node.value) in CLOCKS
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    returns = [n.value for n in ast.walk(node) if isinstance(n, ast.Return)]
    return bool(returns) and all(
        isinstance(value, ast.Call) and file.qualified(value.func) in CLOCKS for value in returns
    )


def _duration_helpers(file: FileView) -> tuple[frozenset[str], frozenset[str]]:
    """(duration helpers, clock helpers): functions of the file (not tests), and of the
    project imported into it, that return a measured duration, and those that read a
    clock (``def timer(): return time.perf_counter()``, ``timer = time.perf_counter``)."""
    durations: set[str] = set()
    clocks: set[str] = set()
    for node in file.tree.body:
        if isinstance(node, ast.Assign) and _reads_clock(file, node):
            clocks.update(t.id for t in node.targets if isinstance(t, ast.Name))
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if node.name.startswith("test"):
            continue
        if _returns_duration(file, node):
            durations.add(node.name)
        elif _reads_clock(file, node):
            clocks.add(node.name)
    for name, qualified in file.imports.items():
        if name in durations or name in clocks or "." not in qualified:
            continue
        found = project_function(file.suite, qualified)
        if found is None:
            continue
        module, definition = found
        if _reads_clock(module, definition):
            clocks.add(name)
        elif isinstance(definition, ast.FunctionDef | ast.AsyncFunctionDef) and (
            _returns_duration(module, definition)
        ):
            durations.add(name)
    return frozenset(durations), frozenset(clocks)


def _bounded_duration(durations: _Durations, compared: tuple[ast.AST, ast.AST, ast.AST]) -> bool:
    """A duration held under a fixed bound, or a rate held over one: what a slow or busy
    machine breaks. A duration held over a bound (``assert took >= TIMEOUT``, the call
    waited at least that long) only gets safer when the machine is slow."""
    shown, left, right = compared
    numbers = durations.numbers
    smaller, larger = (right, left) if _greater_first(shown) else (left, right)
    if durations.has_duration(smaller) and _limit(larger, numbers):
        return not durations.is_rate(smaller)
    return (
        durations.has_duration(larger) and _limit(smaller, numbers) and (durations.is_rate(larger))
    )


GENEROUS_BOUND = 1.0
"""Seconds: a bound this wide is no speed requirement, it tells "returned" from "hung"."""
TIMEOUT_KEYWORDS = frozenset({"timeout", "timeout_seconds", "wait_timeout"})


def _below_a_timeout(test: ast.AST, compared: tuple[ast.AST, ast.AST, ast.AST]) -> bool:
    """Whether the bound is a second or more and below a timeout the test gives a call
    (``msg = ps.get_message(timeout=5)`` ... ``assert elapsed < 2.5``), or at least twice
    that timeout (``ps.get_message(timeout=0.1)`` ... ``assert elapsed < 1.0``): the check
    tells a call that woke up, or kept to its timeout, from one that hung, which no slow
    machine turns into the other."""
    shown, left, right = compared
    bound = number(left if _greater_first(shown) else right)
    if bound is None or bound < GENEROUS_BOUND:
        return False
    for node in ast.walk(test):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                timeout = number(keyword.value) if keyword.arg in TIMEOUT_KEYWORDS else None
                if timeout is not None and (timeout > bound or timeout <= bound / 2):
                    return True
    return False


Definition = ast.FunctionDef | ast.AsyncFunctionDef


def _context_helper(
    file: FileView, view: FunctionView, call: ast.Call
) -> tuple[FileView, Definition] | None:
    """The def a ``with`` item calls: a method of the test's class or of a project base
    class (``self.assertRunUnder(0.5)``), a function of the module, or one imported from
    a module of the project."""
    func = call.func
    found: tuple[FileView, ast.AST] | None = None
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        if func.value.id == "self" and view.cls is not None:
            found = file.method(view.cls, func.attr)
        else:
            qualified = file.qualified(func)
            found = project_function(file.suite, qualified) if qualified else None
    elif isinstance(func, ast.Name):
        found = file.defined(func.id)
    if found is None or not isinstance(found[1], ast.FunctionDef | ast.AsyncFunctionDef):
        return None
    return found[0], found[1]


def _fails_over_a_bound(owner: FileView, definition: Definition) -> bool:
    """A context manager (``@contextmanager``) that measures the block it wraps and
    fails when the elapsed time exceeds a bound it is given: it compares a clock
    difference with one of its parameters (``if elapsed > delta: raise ...``)."""
    if not any("contextmanager" in ast.unparse(d) for d in definition.decorator_list):
        return False
    params = {a.arg for a in (*definition.args.args, *definition.args.kwonlyargs)}
    durations = _Durations(owner, definition)
    if not durations.measured:
        return False
    for node in ast.walk(definition):
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            sides = (node.left, node.comparators[0])
            for side, other in (sides, sides[::-1]):
                if (
                    durations.has_duration(side)
                    and isinstance(other, ast.Name)
                    and other.id in params
                ):
                    return True
    return False


def _bound_given(file: FileView, call: ast.Call) -> float | None:
    """The bound a call passes first, when it is a number or a module-level constant."""
    first = call.args[0] if call.args else None
    if first is None and call.keywords:
        first = call.keywords[0].value
    if isinstance(first, ast.Name):
        assigned = file.top_level(first.id)
        first = assigned.value if isinstance(assigned, ast.Assign) else None
    return number(first)


def _bounding_contexts(file: FileView, view: FunctionView) -> Iterator[tuple[ast.Call, str]]:
    """The ``with`` items of a test that fail when their block runs longer than a fixed
    wall-clock bound (``with self.assertRunUnder(0.5):``), with where the comparison is.
    A bound of a second or more that tells a call that kept to its timeout from one that
    hung (`_below_a_timeout`) is left alone."""
    for node in ast.walk(view.node):
        if not isinstance(node, ast.With | ast.AsyncWith):
            continue
        for item in node.items:
            call = item.context_expr
            if not isinstance(call, ast.Call):
                continue
            found = _context_helper(file, view, call)
            if found is None or not _fails_over_a_bound(*found):
                continue
            bound = _bound_given(file, call)
            if bound is not None:
                shown = ast.Compare(ast.Name("elapsed"), [ast.Lt()], [ast.Constant(bound)])
                if _below_a_timeout(node, (shown, shown.left, shown.comparators[0])):
                    continue
            yield call, f"{found[0].path}:{found[1].lineno}"


def _greater_first(shown: ast.AST) -> bool:
    """Whether the assertion says its first operand is the larger one (``a > b``,
    ``assertGreaterEqual(a, b)``)."""
    if isinstance(shown, ast.Compare):
        return isinstance(shown.ops[0], (ast.Gt, ast.GtE))
    return (
        isinstance(shown, ast.Call)
        and isinstance(shown.func, ast.Attribute)
        and shown.func.attr.startswith("assertGreater")
    )
