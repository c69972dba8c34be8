"""pytest plugin that dumps pytest's own view of a suite as JSON (the ground truth).

Load it into any project's pytest run, it imports nothing from test-auditor::

    PYTHONPATH=/path/to/tests/groundtruth python -m pytest -p pytest_groundtruth \
        --gt-dump=/abs/out.json --collect-only -q

It is inert unless ``--gt-dump`` is given. The dump holds, per item, its node id
("nodeid"), that id without the parametrize suffix ("base"), the item class ("kind"),
the fixture closure pytest computed minus direct parametrize arguments ("fixtures",
"direct_params"), and the scope and "path:line" of the closest definition of each
fixture ("scopes", "defs"; the line is the first decorator's, as pytest shows it).
Items are listed in "items" (what pytest would run), "deselected" (``-m``/``-k``)
and "removed" (dropped by a plugin's ``pytest_collection_modifyitems`` without a
deselect report); "added" names the ids such a hook made up. "collect_errors" holds
the nodes that failed to collect ("message": first line, "exception": the ``E``
line) and, when tests run, "outcomes" holds each report with the ScopeMismatch line.
"""

from __future__ import annotations

import functools
import inspect
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

DUMP_OPTION = "--gt-dump"
DIRECT_PARAM_FUNC_NAME = "get_direct_param_fixture_func"
SCOPE_MISMATCH = "ScopeMismatch"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("groundtruth", "ground-truth dump for test-auditor")
    group.addoption(
        DUMP_OPTION,
        dest="gt_dump",
        default=None,
        metavar="PATH",
        help="write pytest's collected items and fixture closures as JSON to PATH",
    )


def pytest_configure(config: pytest.Config) -> None:
    dump_path = config.getoption("gt_dump")
    if not dump_path or hasattr(config, "workerinput"):
        return
    recorder = GroundTruthRecorder(config=config, dump_path=Path(dump_path))
    config.pluginmanager.register(recorder, "groundtruth-recorder")


def fixture_definitions(item: pytest.Item) -> dict[str, list[Any]]:
    """Return pytest's name -> FixtureDefs map for an item (private API, in one place).

    The sequence per name is ordered from furthest to closest to the item. Items
    that are not Python functions (custom plugin items) may have none.
    """
    fixture_info = getattr(item, "_fixtureinfo", None)
    name2fixturedefs = getattr(fixture_info, "name2fixturedefs", None)
    if not name2fixturedefs:
        return {}
    return {name: list(defs) for name, defs in name2fixturedefs.items() if defs}


def is_direct_param(fixturedef: Any) -> bool:
    func = getattr(fixturedef, "func", None)
    return getattr(func, "__name__", None) == DIRECT_PARAM_FUNC_NAME


def base_nodeid(item: pytest.Item) -> str:
    """Return the item's node id without its trailing ``[...]`` parametrize suffix."""
    original = getattr(item, "originalname", None)
    nodeid = item.nodeid
    if not isinstance(original, str) or original == item.name:
        return nodeid
    if nodeid.endswith(item.name):
        return nodeid[: len(nodeid) - len(item.name)] + original
    return nodeid


def unwrap_function(func: Any) -> Any:
    func = inspect.unwrap(func)
    while isinstance(func, functools.partial):
        func = inspect.unwrap(func.func)
    return func


def display_path(path: Path, rootdir: Path) -> str:
    try:
        return path.relative_to(rootdir).as_posix()
    except ValueError:
        return path.as_posix()


def definition_location(func: Any, rootdir: Path) -> str | None:
    """Return "path:lineno" of a fixture function as pytest shows it (first line)."""
    try:
        real = unwrap_function(func)
        filename = inspect.getsourcefile(real) or inspect.getfile(real)
        lineno = real.__code__.co_firstlineno
    except (TypeError, AttributeError, ValueError, OSError):
        return None
    path = Path(os.path.abspath(filename))
    return f"{display_path(path, rootdir)}:{lineno}"


def item_record(item: pytest.Item, rootdir: Path) -> dict[str, Any]:
    defs_by_name = fixture_definitions(item)
    direct = sorted(n for n, defs in defs_by_name.items() if is_direct_param(defs[-1]))
    closure = getattr(item, "fixturenames", None) or []
    fixtures = sorted(set(closure) - set(direct))
    scopes: dict[str, str] = {}
    locations: dict[str, str] = {}
    for name in fixtures:
        if name not in defs_by_name:
            continue
        closest = defs_by_name[name][-1]
        scopes[name] = str(closest.scope)
        location = definition_location(closest.func, rootdir)
        if location is not None:
            locations[name] = location
    return {
        "nodeid": item.nodeid,
        "base": base_nodeid(item),
        "kind": type(item).__name__,
        "fixtures": fixtures,
        "direct_params": direct,
        "scopes": scopes,
        "defs": locations,
    }


def first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def last_exception_line(text: str) -> str:
    """Return the last ``E   ...`` line of a formatted error (the exception itself)."""
    lines = [line[1:].strip() for line in text.splitlines() if line.startswith("E ")]
    return lines[-1] if lines else first_line(text)


def scope_mismatch_line(text: str) -> str | None:
    for line in text.splitlines():
        position = line.find(f"{SCOPE_MISMATCH}:")
        if position >= 0:
            return line[position:].strip()
    return None


@dataclass(eq=False)  # pytest keeps plugins in sets: stay hashable
class GroundTruthRecorder:
    """Collects pytest's view during one session and writes it at session end."""

    config: pytest.Config
    dump_path: Path
    collect_errors: list[dict[str, str]] = field(default_factory=list)
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    deselected: list[pytest.Item] = field(default_factory=list)
    collected: list[pytest.Item] | None = None

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """Remember the items before plugins filter, rewrite or reorder them."""
        self.collected = list(items)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            text = report.longreprtext
            self.collect_errors.append(
                {
                    "nodeid": report.nodeid,
                    "message": first_line(text),
                    "exception": last_exception_line(text),
                }
            )

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        self.deselected.extend(items)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        mismatch = None
        if report.failed:
            mismatch = scope_mismatch_line(report.longreprtext)
        self.outcomes.append(
            {
                "nodeid": report.nodeid,
                "when": report.when,
                "outcome": report.outcome,
                "scope_mismatch": mismatch,
            }
        )

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.dump_path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.build(session), indent=1, sort_keys=True)
        self.dump_path.write_text(text + "\n", encoding="utf-8")

    def build(self, session: pytest.Session) -> dict[str, Any]:
        rootdir = Path(os.path.abspath(self.config.rootpath))
        items: list[pytest.Item] = list(getattr(session, "items", []) or [])
        removed, added = self.plugin_changes(items)
        dump: dict[str, Any] = {
            "pytest_version": pytest.__version__,
            "rootdir": rootdir.as_posix(),
            "items": [item_record(item, rootdir) for item in items],
            "deselected": [item_record(item, rootdir) for item in self.deselected],
            "removed": [item_record(item, rootdir) for item in removed],
            "added": added,
            "collect_errors": self.collect_errors,
        }
        if not self.config.getoption("collectonly"):
            dump["outcomes"] = self.outcomes
        return dump

    def plugin_changes(self, items: list[pytest.Item]) -> tuple[list[pytest.Item], list[str]]:
        """Items that plugins dropped without deselecting them, and ids they made up.

        ``pytest_collection_modifyitems`` hooks may replace the list outright (as
        SQLAlchemy's plugin does); only ``pytest_deselected`` reports are announced.
        """
        if self.collected is None:
            return [], []
        accounted = {item.nodeid for item in [*items, *self.deselected]}
        removed = [item for item in self.collected if item.nodeid not in accounted]
        before_ids = {item.nodeid for item in self.collected}
        added = [item.nodeid for item in items if item.nodeid not in before_ids]
        return removed, added
