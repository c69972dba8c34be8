"""Which names the code a test runs refers to: globals, attributes, string constants.

The names come from the code objects the test called (``co_names`` holds the globals and
attributes a function reads, ``co_consts`` the strings such as an environment variable's
name); pytest's, pluggy's and our own code are left out. Imported by the plugin inside the
user's pytest process: standard library only.

Two ways to see which code ran. From Python 3.12, ``sys.monitoring``: each code object
reports its first start once per test and is then switched off, so a test pays for the
functions it runs, not for every call (a hypothesis-heavy suite runs twice as slow under a
profile function, and barely slower this way). Before 3.12, or when another tool holds every
free monitoring slot, a profile function that sees every call: cProfile's C one where there
is one, a Python one (``sys.setprofile``) else.
"""

from __future__ import annotations

import os
import re
import sys
import sysconfig
from collections.abc import Iterable
from types import CodeType
from typing import Any

_STDLIB = (sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["platstdlib"])
_OURS = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))) + os.sep
"""This package's folder (a project or a folder named after an "auditor" is the user's)."""
_NOT_USER_CODE = ("_pytest", "pluggy", "<frozen", "<string>")
"""Code whose names say nothing about what a test reads: pytest's, pluggy's, ours
(``_OURS``), and generated methods (the ``__init__`` of pytest's report dataclasses, run
while a failure is reported, reads ``abspath``: every failing test would seem to read the
working directory)."""
_WORD = re.compile(r"[A-Za-z_][\w.-]*")


def names_of(codes: Iterable[CodeType]) -> list[str]:
    """The names and short string constants of the user's code among ``codes``."""
    words: set[str] = set()
    for code in codes:
        filename = code.co_filename
        if filename.startswith((*_STDLIB, _OURS)) or any(
            part in filename for part in _NOT_USER_CODE
        ):
            continue
        words.update(code.co_names)
        for const in code.co_consts:
            if isinstance(const, str) and len(const) <= 120 and "\n" not in const:
                words.update(_WORD.findall(const))
    return sorted(words)


class ProfileTracer:
    """A profile function that keeps the code object of every Python call (before 3.12).

    cProfile's C profiler (``_lsprof``, with its per-function counts only) where the
    interpreter has it: a call then costs a C callback, not a Python one, which halves what
    tracing adds to a call-heavy suite. Else a Python profile function."""

    def __init__(self) -> None:
        self.codes: dict[int, CodeType] = {}
        self._active = False
        try:
            import _lsprof

            self._profiler: Any = _lsprof.Profiler()
        except (ImportError, AttributeError):  # an interpreter without cProfile's core
            self._profiler = None

    def _profile(self, frame: Any, event: str, arg: Any) -> None:
        if event == "call":
            code = frame.f_code
            self.codes.setdefault(id(code), code)

    def _enable(self) -> None:
        if self._profiler is not None:
            self._profiler.enable(subcalls=False, builtins=False)
        else:
            sys.setprofile(self._profile)

    def _disable(self) -> None:
        if self._profiler is not None:
            self._profiler.disable()
        else:
            sys.setprofile(None)

    def start(self) -> None:
        self.codes = {}
        if self._profiler is not None:
            self._profiler.clear()
        self._enable()
        self._active = True

    def stop(self) -> None:
        self._disable()
        self._active = False

    def pause(self) -> bool:
        """Stop seeing calls for a while (the plugin's own snapshots); whether it was on."""
        if not self._active:
            return False
        self._disable()
        return True

    def resume(self) -> None:
        self._enable()

    def names(self) -> list[str]:
        if self._profiler is not None:
            stats = self._profiler.getstats()
            return names_of(entry.code for entry in stats if isinstance(entry.code, CodeType))
        return names_of(self.codes.values())

    def close(self) -> None:
        """Nothing held between tests."""
        if self._active:
            self.stop()


class MonitoringTracer:
    """``sys.monitoring`` (3.12+): each code object's first start in a test, once."""

    def __init__(self, tool: int) -> None:
        self.tool = tool
        self.codes: dict[int, CodeType] = {}
        self._active = False
        monitoring = sys.monitoring  # type: ignore[attr-defined]
        monitoring.register_callback(tool, monitoring.events.PY_START, self._started)

    def _started(self, code: CodeType, offset: int) -> object:
        self.codes[id(code)] = code
        return sys.monitoring.DISABLE  # type: ignore[attr-defined]

    def start(self) -> None:
        monitoring = sys.monitoring  # type: ignore[attr-defined]
        self.codes = {}
        monitoring.set_events(self.tool, monitoring.events.PY_START)
        monitoring.restart_events()  # what the last test switched off reports again
        self._active = True

    def stop(self) -> None:
        sys.monitoring.set_events(self.tool, 0)  # type: ignore[attr-defined]
        self._active = False

    def pause(self) -> bool:
        """Stop seeing code start for a while (the plugin's own snapshots)."""
        if not self._active:
            return False
        sys.monitoring.set_events(self.tool, 0)  # type: ignore[attr-defined]
        return True

    def resume(self) -> None:
        monitoring = sys.monitoring  # type: ignore[attr-defined]
        monitoring.set_events(self.tool, monitoring.events.PY_START)

    def names(self) -> list[str]:
        return names_of(self.codes.values())

    def close(self) -> None:
        """Give the monitoring slot back (a second session in this process takes it)."""
        monitoring = sys.monitoring  # type: ignore[attr-defined]
        monitoring.set_events(self.tool, 0)
        monitoring.register_callback(self.tool, monitoring.events.PY_START, None)
        monitoring.free_tool_id(self.tool)


Tracer = ProfileTracer | MonitoringTracer


def tracer() -> Tracer:
    """The cheapest tracer this interpreter offers; one per session (it holds a monitoring
    slot until it is closed)."""
    monitoring = getattr(sys, "monitoring", None)
    if monitoring is not None:
        for tool in (monitoring.PROFILER_ID, 3, 4):
            try:
                monitoring.use_tool_id(tool, "test-auditor")
            except ValueError:  # held by another tool (a profiler, coverage.py): next slot
                continue
            return MonitoringTracer(tool)
    return ProfileTracer()
