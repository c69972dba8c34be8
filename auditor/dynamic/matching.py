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
READER = 2
"""A call that reads a kind of state with no name of its own (``strftime``, ``open``)."""
CONTEXT = 1
EMPTY = frozenset({None, "{}", "[]", "()", "''", "set()", "'0 rows'", "0 rows", "'0 keys'"})
"""Values a change that undoes state leaves: such a change is more likely a cleanup."""
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
IDENTIFIER = re.compile(r"^(?:[0-9a-f]{6,}|[0-9]+|[0-9a-f-]{32,36})$")
"""Parts of a key that are ids (``session:4677c873``), not names."""

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
        {"records", "record_tuples", "messages", "isEnabledFor", "getEffectiveLevel", "handlers"}
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
        parts = [part for part in re.split(r"[.:/]", name) if part and not IDENTIFIER.match(part)]
        for index, part in enumerate(parts):
            add(part, SPECIFIC if index == len(parts) - 1 else CONTEXT)
        if " table " in key and parts:
            for form in _singular_forms(parts[-1]):
                add(form, SPECIFIC)
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
    if change.probe == "logging":  # logger names are module names every test touches
        for word in list(words):
            words[word] = CONTEXT
    for word in READERS.get(change.probe, ()):
        words.setdefault(word, CONTEXT if change.probe == "sys.path" else READER)
    return words


def _singular_forms(table: str) -> set[str]:
    """``users`` -> ``user``, ``User``, ``Users``: how code names the model of a table."""
    forms = {table, table.capitalize()}
    for suffix in ("ies", "es", "s"):
        if table.endswith(suffix) and len(table) > len(suffix) + 1:
            stem = table[: -len(suffix)] + ("y" if suffix == "ies" else "")
            forms |= {stem, stem.capitalize()}
    camel = "".join(word.capitalize() for word in table.split("_"))
    forms.add(camel)
    return forms


def score(changes: Iterable[Change], names: set[str]) -> tuple[int, list[Change]]:
    """How strongly a test whose code used ``names`` reads ``changes``, and which ones.

    The score is the best single change's: a change counts when one of its specific words
    (or a reader call) is among the names; context words only add to such a change. A change
    that empties or removes state scores lower: it is more likely a cleanup than a leak.
    """
    best = 0
    matched: list[Change] = []
    for change in changes:
        words = change_words(change)
        hits = [word for word in words if word in names]
        if not any(words[word] >= READER for word in hits):
            continue
        value = sum(words[word] for word in hits) - (2 if _empty(change.after) else 0)
        matched.append(change)
        best = max(best, value)
    return best, matched


def _empty(value: str | None) -> bool:
    return value in EMPTY or bool(value and value.split("#", 1)[0] in EMPTY)


def words_of_test(touched: Iterable[str], failure: str) -> set[str]:
    """The names a test's code used and the words of its failure text."""
    names = set(touched)
    names.update(WORD.findall(failure))
    names.update(re.findall(r"[A-Za-z_][\w.-]*\.[A-Za-z0-9]+", failure))
    for name in list(names):
        if "." in name:
            names.update(part for part in name.split(".") if part)
    return names
