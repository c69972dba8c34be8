"""Where the project's own pytest commands point, when no `testpaths` says so.

Without `testpaths`, a bare ``pytest`` in the rootdir walks every folder below it, examples
and documentation snippets included (``docs_src/tutorial/test_main.py``). Projects that keep
such files next to their suite run ``pytest tests`` instead, and write it down: a tox
``commands`` line, a shell script, a Makefile target, a nox session, a CI workflow step, a
task runner's script in ``pyproject.toml``. When every pytest command found there names the
paths it collects, those paths are the suite; when any of them names none (``pytest -x``,
``pytest {posargs}``), the whole rootdir is, as for a bare ``pytest``.

Only the text is read, never run. A token is a path when it exists below the rootdir, is not
an option and is not the value of an option that takes one (``-k``, ``-m``, ``-p``, ...).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Iterator
from pathlib import Path

from auditor.paths import is_file

_SCRIPT_FILES = ("tox.ini", "Makefile", "makefile", "GNUmakefile", "noxfile.py", "pyproject.toml")
_SCRIPT_GLOBS = ("scripts/*.sh", "script/*.sh", "bin/*.sh", ".github/workflows/*.y*ml")
_PYTEST = re.compile(r"(?:^|[\s;&|(\"'`=])(?:py\.test|pytest)(?=$|[\s;&|)\"'`])")
_NOX_RUN = re.compile(r"\.run\(\s*[\"'](?:py\.test|pytest)[\"']")
_STOP = frozenset({";", "&&", "||", "|", ")", ">", ">>", "2>&1"})
_TAKES_VALUE = frozenset(
    {
        "-k", "-m", "-p", "-c", "-n", "-o", "-W", "-r", "--basetemp", "--rootdir", "--confcutdir",
        "--ignore", "--ignore-glob", "--deselect", "--junitxml", "--junit-xml", "--dist",
        "--cov", "--cov-report", "--cov-config", "--cov-fail-under", "--maxfail", "--tb",
        "--durations", "--log-level", "--log-cli-level", "--import-mode", "--override-ini",
        "--numprocesses", "--timeout", "--reruns", "--randomly-seed", "--capture",
        "--color", "--ds", "--dc", "--asyncio-mode",
    }
)  # fmt: skip
_TOML_SCRIPT = re.compile(r"^\s*[\w.\"'-]+\s*=\s*[\"']")


def command_paths(rootdir: Path) -> list[Path] | None:
    """The paths the project's pytest commands collect, or None when any collects all."""
    found: dict[Path, None] = {}
    commands = 0
    for lines in _script_lines(rootdir):
        for args in _pytest_arguments(lines):
            commands += 1
            paths = _paths(args, rootdir)
            if not paths:
                return None
            found.update(dict.fromkeys(paths))
    if not commands:
        return None
    return sorted(found)


def _script_lines(rootdir: Path) -> Iterator[list[str]]:
    """The lines of each file that may hold a command (tox: `commands`; TOML: string values)."""
    files = [rootdir / name for name in _SCRIPT_FILES]
    for pattern in _SCRIPT_GLOBS:
        files.extend(sorted(rootdir.glob(pattern)))
    for path in files:
        if not is_file(path):
            continue
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        lines = list(_logical_lines(text))
        if path.name == "tox.ini":
            yield _ini_commands(lines)
        elif path.suffix == ".toml":
            yield [line for line in lines if _TOML_SCRIPT.match(line)]
        else:
            yield lines


def _ini_commands(lines: Iterable[str]) -> list[str]:
    """The lines of the `commands` options of an ini file (first line and continuations)."""
    kept: list[str] = []
    inside = False
    for line in lines:
        if line[:1] not in (" ", "\t"):
            key, equals, value = line.partition("=")
            inside = bool(equals) and key.strip().startswith("commands")
            if inside:
                kept.append(value)
        elif inside:
            kept.append(line)
    return kept


def _pytest_arguments(lines: Iterable[str]) -> Iterator[list[str]]:
    """The argument tokens after each pytest command of `lines` (one command a line)."""
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("#"):
            continue
        nox = _NOX_RUN.search(stripped)
        if nox is not None:
            yield re.findall(r"[\"']([^\"']*)[\"']", stripped[nox.end() :])
            continue
        match = _PYTEST.search(stripped)
        if match is None or _is_install(stripped[: match.start()]):
            continue
        rest = stripped[match.end() :]
        opening = stripped[match.start()]
        if opening in "\"'`":
            rest = rest.split(opening, 1)[0]  # the command is the quoted string
        try:
            tokens = shlex.split(rest, comments=True)
        except ValueError:
            tokens = rest.split()
        args: list[str] = []
        for token in tokens:
            if token in _STOP:
                break
            args.append(token.rstrip(";"))
        yield args


def _logical_lines(text: str) -> Iterator[str]:
    pending = ""
    for raw in text.splitlines():
        if raw.rstrip().endswith("\\"):
            pending += raw.rstrip()[:-1] + " "
            continue
        yield pending + raw
        pending = ""
    if pending:
        yield pending


def _is_install(before: str) -> bool:
    """Whether the words before `pytest` install it rather than run it."""
    return re.search(r"install|\badd\b|deps|requires|dependencies|\bname\s*:", before) is not None


def _paths(args: Iterable[str], rootdir: Path) -> list[Path]:
    paths: list[Path] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg.startswith("-"):
            skip = arg in _TAKES_VALUE
            continue
        if "{" in arg or "$" in arg:
            continue
        candidate = (rootdir / arg.split("::", 1)[0]).resolve()
        if candidate != rootdir.resolve() and rootdir.resolve() not in candidate.parents:
            continue
        if candidate.exists():
            paths.append(rootdir / arg.split("::", 1)[0].rstrip("/"))
    return paths
