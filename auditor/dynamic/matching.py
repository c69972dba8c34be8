"""Which leaked state a test reads: the words of a change against the names a test ran.

A change's words come from its key and its new value, weighted by how specific they are:
the variable, attribute, table, logger or patched name weighs most (3), the names around it
(its module, its object) and its value weigh 1. Kinds of state that have no name of their own
(the working directory, the time zone, warning filters) carry the names of the calls that read
them. A test's words are the names its code referred to while it ran (``--ta-touch``) and the
words of its failure message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from auditor.dynamic.probes import Change

SPECIFIC = 3
CONTEXT = 1
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

GENERIC = frozenset(
    {
        "os",
        "environ",
        "sys",
        "modules",
        "path",
        "logging",
        "getLogger",
        "level",
        "handlers",
        "propagate",
        "disabled",
        "mock",
        "patch",
        "sqlite",
        "table",
        "rows",
        "file",
        "thread",
        "signal",
        "getsignal",
        "cache_info",
        "__defaults__",
        "warnings",
        "filters",
        "open",
        "time",
        "tzname",
        "timezone",
        "was",
        "unset",
        "True",
        "False",
        "None",
        "len",
        "dict",
        "list",
        "set",
        "tuple",
        "alive",
        "daemon",
        "db",
        "py",
        "tests",
        "test",
        "conftest",
    }
)
READERS: dict[str, frozenset[str]] = {
    "cwd": frozenset(
        {
            "getcwd",
            "chdir",
            "open",
            "listdir",
            "exists",
            "is_file",
            "read_text",
            "read_bytes",
            "cwd",
            "resolve",
            "abspath",
            "glob",
            "scandir",
            "Path",
        }
    ),
    "timezone": frozenset(
        {
            "localtime",
            "strftime",
            "mktime",
            "ctime",
            "tzname",
            "timezone",
            "astimezone",
            "fromtimestamp",
            "tzset",
            "TZ",
            "tzinfo",
            "now",
        }
    ),
    "warnings": frozenset(
        {
            "warn",
            "warnings",
            "simplefilter",
            "filterwarnings",
            "catch_warnings",
            "DeprecationWarning",
            "UserWarning",
            "warns",
        }
    ),
    "logging": frozenset(
        {"caplog", "records", "getLogger", "logger", "warning", "log", "record_tuples", "handlers"}
    ),
    "sys.path": frozenset({"import_module", "__import__", "find_spec", "path"}),
    "files": frozenset({"listdir", "exists", "glob", "scandir", "iterdir", "is_file"}),
    "threads": frozenset({"enumerate", "active_count", "Thread", "join"}),
    "signals": frozenset({"signal", "alarm", "getsignal", "kill", "setitimer"}),
}


def change_words(change: Change) -> dict[str, int]:
    """The words of ``change`` with their weights."""
    words: dict[str, int] = {}

    def add(word: str, weight: int) -> None:
        if word and word not in GENERIC and len(word) > 1:
            words[word] = max(words.get(word, 0), weight)

    key = change.key
    quoted = re.findall(r"'([^']*)'", key)
    for name in quoted:  # os.environ['APP_MODE'], sys.modules['a.b'], table 'orders'
        add(name, SPECIFIC)
        for part in re.split(r"[.:/]", name):
            add(part, SPECIFIC if part == re.split(r"[.:/]", name)[-1] else CONTEXT)
    plain = WORD.findall(re.sub(r"'[^']*'", " ", key))
    meaningful = [w for w in plain if w not in GENERIC]
    if meaningful and not quoted:
        add(meaningful[-1], SPECIFIC)
        for word in meaningful[:-1]:
            add(word, CONTEXT)
    if change.key.startswith("file "):
        name = change.key[len("file ") :]
        add(name, SPECIFIC)
        add(name.rsplit("/", 1)[-1], SPECIFIC)
    for value in (change.after, change.before):
        for word in WORD.findall(value or ""):
            if not re.fullmatch(r"[0-9a-f]{6,}", word):
                add(word, CONTEXT)
    for word in READERS.get(change.probe, ()):
        words.setdefault(word, CONTEXT if change.probe in ("logging", "sys.path") else SPECIFIC)
    return words


def score(changes: Iterable[Change], names: set[str]) -> tuple[int, list[Change]]:
    """How strongly a test whose code used ``names`` reads ``changes``, and which ones.

    The score is the best single change's: a change counts when one of its specific words is
    among the names; context words only add to such a change.
    """
    best = 0
    matched: list[Change] = []
    for change in changes:
        words = change_words(change)
        hits = [word for word in words if word in names]
        if not any(words[word] >= SPECIFIC for word in hits):
            continue
        value = sum(words[word] for word in hits)
        matched.append(change)
        best = max(best, value)
    return best, matched


def words_of_test(touched: Iterable[str], failure: str) -> set[str]:
    """The names a test's code used and the words of its failure text."""
    names = set(touched)
    names.update(WORD.findall(failure))
    names.update(re.findall(r"[A-Za-z_][\w.-]*\.[A-Za-z0-9]+", failure))
    for name in list(names):
        if "." in name:
            names.update(part for part in name.split(".") if part)
    return names
