"""Logging configuration: levels, handlers, ``propagate`` and ``disabled`` left changed.

Only non-default settings are listed, so a logger merely created by ``getLogger`` is not a
change. Example: ``logging.getLogger("shop").setLevel(logging.CRITICAL)`` leaves
``logging.getLogger('shop').level = 'CRITICAL' (was unset)``, and a later ``caplog`` sees
nothing.
"""

from __future__ import annotations

import logging

from auditor.dynamic.probes import ProbeContext, Snapshot, short


def _handlers(logger: logging.Logger) -> str:
    kinds = [f"{type(handler).__name__}#{id(handler):x}" for handler in logger.handlers]
    return short("[" + ", ".join(kinds) + "]")


def _logger_state(name: str, logger: logging.Logger, snapshot: dict[str, str]) -> None:
    shown = f"logging.getLogger({name!r})" if name else "logging.getLogger()"
    default_level = logging.WARNING if logger is logging.root else logging.NOTSET
    if logger.level != default_level:
        snapshot[f"{shown}.level"] = repr(logging.getLevelName(logger.level))
    handlers = [h for h in logger.handlers if not _is_pytest_handler(h)]
    if handlers:
        snapshot[f"{shown}.handlers"] = _handlers(logger)
    if not logger.propagate:
        snapshot[f"{shown}.propagate"] = "False"
    if logger.disabled:
        snapshot[f"{shown}.disabled"] = "True"


def _is_pytest_handler(handler: logging.Handler) -> bool:
    """pytest's logging plugin keeps its capture handlers on the root logger."""
    return type(handler).__module__.startswith("_pytest")


class LoggingProbe:
    name = "logging"

    def snapshot(self) -> Snapshot:
        snapshot: dict[str, str] = {}
        if logging.root.manager.disable:
            snapshot["logging.disable()"] = repr(logging.getLevelName(logging.root.manager.disable))
        _logger_state("", logging.root, snapshot)
        for name, logger in list(logging.root.manager.loggerDict.items()):
            if isinstance(logger, logging.Logger):
                _logger_state(name, logger, snapshot)
        return snapshot


def factory(context: ProbeContext) -> LoggingProbe:
    return LoggingProbe()
