"""The messages of TA306 process-state-change."""

from __future__ import annotations

from auditor.api import FileView, FunctionView

from ._common import restore_hint, where
from ._switches import KIND as SWITCH
from ._switches import counterpart
from ._writes import Write

SYS_PATH = "sys.path"
META_PATH = "sys.meta_path"
PATH_HOOKS = "sys.path_hooks"
CWD = "cwd"
LEVEL = "logging.level"
HANDLERS = "logging.handlers"
DISABLE = "logging.disable"
RANDOM = "random"
NUMPY_RANDOM = "numpy.random"
WARNINGS = "warnings.filters"
SYS_MODULES = "sys.modules"
EVENTS = "sqlalchemy.event"


def message(view: FunctionView, write: Write) -> str:
    who = where(view)
    hint = f"{restore_hint(view)}, or " if view.kind != "test" else ""
    if write.kind == SYS_PATH:
        return (
            f"{who} changes `sys.path` (`{write.text}`) and never restores it: later tests "
            f"import from the changed path; {hint}use `monkeypatch.syspath_prepend()`"
        )
    if write.kind in (META_PATH, PATH_HOOKS):
        return (
            f"{who} changes the import hooks (`{write.text}`) and never restores them: every "
            f"later import goes through the changed `{write.kind}` (putting back a saved "
            f"reference to the same list undoes nothing); {hint}save a copy "
            f"(`list({write.kind})`) and put it back, or use "
            f'`monkeypatch.setattr(sys, "{write.kind.partition(".")[2]}", [...])`'
        )
    if write.kind == CWD:
        return (
            f"{who} changes the working directory (`{write.text}`) and never changes it "
            f"back: later tests resolve relative paths from there; {hint}use "
            "`monkeypatch.chdir()`"
        )
    if write.kind == LEVEL:
        return (
            f"{who} sets the level of logger `{write.key}` (`{write.text}`) and never resets "
            f"it: later tests log and capture differently; {hint}use "
            "`caplog.set_level(level, logger=...)`"
        )
    if write.kind == HANDLERS:
        return (
            f"{who} adds a handler to logger `{write.key}` (`{write.text}`) and never removes "
            f"it: every later test's records go to it too; remove it "
            f"{'at teardown' if hint else 'in a `finally`'}, or use `caplog`"
        )
    if write.kind == DISABLE:
        return (
            f"{who} calls `{write.text}` and never re-enables logging: later tests capture "
            f"no logs; {hint}call `logging.disable(logging.NOTSET)` at teardown"
        )
    if write.kind == WARNINGS:
        return (
            f"{who} changes the warnings filters (`{write.text}`) outside "
            "`warnings.catch_warnings()`, and the warnings plugin that would put them back "
            "after each test is off (`-p no:warnings`): every later test runs under these "
            f"filters; {hint}use `@pytest.mark.filterwarnings(...)` or `with "
            "warnings.catch_warnings():`"
        )
    if write.kind == SYS_MODULES:
        return (
            f"{who} puts a module into `sys.modules` (`{write.text}`) and never takes it "
            "out: every later import of that name gets this object; "
            f"{hint}use `monkeypatch.setitem(sys.modules, name, module)`"
        )
    if write.kind == EVENTS:
        return (
            f"{who} registers a listener (`{write.text}`) on a shared target and never "
            f"removes it: it fires in every later test; {hint}call `event.remove(...)` with "
            "the same arguments" + (" in a `finally`" if not hint else "")
        )
    if write.kind == SWITCH:
        return (
            f"{who} turns on `{write.text}` for the whole process and never turns it off "
            f"(`{counterpart(write)}`): every later test runs with it on; {hint}call "
            f"`{counterpart(write)}`" + (" in a `finally`" if not hint else " at teardown")
        )
    generator = "random.Random(seed)" if write.kind == RANDOM else "numpy.random.default_rng(seed)"
    return (
        f"{who} seeds the global `{write.kind}` generator (`{write.text}`): every later "
        f"test draws the same numbers; {hint}use a `{generator}` instance"
    )


def import_time_message(file: FileView, write: Write) -> str:
    if write.kind == WARNINGS:
        return (
            f"`{write.text}` runs at import time of `{file.name}`, outside "
            "`warnings.catch_warnings()`: it stays in force while pytest imports the rest "
            "of the suite, so whether another module (and what it imports) fails with a "
            "warning depends on collection order; use `pytestmark = "
            "pytest.mark.filterwarnings(...)` or the `filterwarnings` ini option"
        )
    if write.kind == SYS_MODULES:
        return (
            f"`{write.text}` is set at import time of `{file.name}`: every test module "
            "collected after it imports this object instead of the real module, and those "
            "collected before do not; put it in a fixture with "
            "`monkeypatch.setitem(sys.modules, name, module)`"
        )
    return (
        f"`{write.text}` registers a listener at import time of `{file.name}`: it stays "
        "for the whole session, in the tests of every other module too, but only when "
        "this module is collected; register it in a fixture and `event.remove(...)` it "
        "at teardown"
    )
