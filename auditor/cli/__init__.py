"""Command line: `test-auditor` and `python -m auditor`.

Exit codes as ruff: 0 nothing found, 1 findings, 2 usage/config error or abnormal end;
130 and 143 when interrupted by Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from auditor.cli.commands import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    run_check,
    run_graph,
    run_leaks,
    run_leaks_merge,
    run_migrate,
    run_rule_doc,
    run_rules_list,
    run_scan,
)
from auditor.cli.parser import LEAKS_MERGE, make_parser
from auditor.config import ConfigError

EXIT_BROKEN_PIPE = 141
"""128 + SIGPIPE: what a shell shows for a command whose reader went away."""

COMMANDS = {
    "leaks": run_leaks,
    LEAKS_MERGE: run_leaks_merge,
    "scan": run_scan,
    "check": run_check,
    "graph": run_graph,
    "migrate": run_migrate,
    "rules": run_rules_list,
    "rule": run_rule_doc,
}


def _usage_errors() -> tuple[type[Exception], ...]:
    """The errors that are the user's to fix (exit 2 with a message, no traceback); an
    ``except`` clause evaluates this only when something was raised."""
    from auditor.lint.engine import SelectionError
    from auditor.lint.registry import RuleLoadError

    return (ConfigError, SelectionError, RuleLoadError)


def _terminated() -> type[BaseException]:
    """SIGTERM while a command runs tests (see `processes.terminate_as_exception`)."""
    from auditor.dynamic.runner.processes import Terminated

    return Terminated


def _interrupted(how: str, code: int) -> int:
    """End every pytest still running and say what was interrupted."""
    from auditor.dynamic.runner.processes import stop_all

    ended = stop_all()
    during = f" during {', '.join(ended)}" if ended else ""
    print(f"test-auditor: {how}{during}; pytest and its processes were ended", file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    arguments = list(sys.argv[1:] if argv is None else argv)
    passthrough: list[str] = []
    if arguments[:2] == ["leaks", "merge"]:  # a folder named merge: `leaks ./merge`
        arguments = [LEAKS_MERGE, *arguments[2:]]
    if arguments and arguments[0] in ("leaks", "scan") and "--" in arguments:
        split = arguments.index("--")
        arguments, passthrough = arguments[:split], arguments[split + 1 :]
    args = parser.parse_args(arguments)
    args.pytest_args = passthrough
    args.process_ends = argv is None  # the command line's own process, not a caller's
    try:
        code = COMMANDS[args.command](args)
        sys.stdout.flush()  # inside the try: a reader gone at the last write is caught too
        return code
    except _usage_errors() as exc:
        print(f"test-auditor: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return _interrupted("interrupted", EXIT_INTERRUPTED)
    except _terminated():
        return _interrupted("terminated", EXIT_TERMINATED)
    except BrokenPipeError:  # `test-auditor rules | head`: the reader has all it wanted
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # no second error when Python flushes at exit
        return EXIT_BROKEN_PIPE
    except OSError as exc:
        print(f"test-auditor: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
