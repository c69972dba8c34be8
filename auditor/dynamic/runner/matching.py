"""Which leaked state a test reads: the words of a change against the names a test ran.

A change's words come from its key and its new value, weighted by how specific they are:
the variable, attribute, table, logger or patched name weighs most (3), the names around it
(its module, its object) and its value weigh 1. Kinds of state that have no name of their own
(the working directory, the time zone, warning filters) carry the names of the calls that read
them. A test's words are the names its code referred to while it ran (``--ta-touch``) and the
words of its failure message.

A logger's name is made of module names every test touches: its words are context, unless
a test names the dotted logger in full (``"app.billing"``, a string only a reader of that
logger spells out).

A match is *named* when the test's code used the state's own name (a specific word): strong
enough evidence to try the pair before anything else. A match through reader calls only
(``open`` for the working directory, ``strftime`` for the time zone) is weak: such calls are
everywhere. State that many tests change (a counter every test bumps) is *common*: it still
matches, but below any rarer state, and never counts as named.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from auditor.dynamic.probes import Change, file_of_key

SPECIFIC = 3
READER = 2
"""A call that reads a kind of state with no name of its own (``strftime``, ``open``)."""
CONTEXT = 1
EMPTY = frozenset({None, "{}", "[]", "()", "''", "set()", "'0 rows'", "0 rows", "'0 keys'"})
"""Values a change that undoes state leaves: such a change is more likely a cleanup."""
EMPTY_CONTAINER = re.compile(r"[A-Za-z_][\w.]*\((?:len=0|\[\]|\{\}|\(\))?\)")
"""``OrderedDict()``, ``deque([])``, ``WeakSet(len=0)``: an empty container of any type."""
EMPTIED = 2
"""What a change that empties state loses from its score."""
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
    "environ": frozenset({"getenv", "from_prefixed_env", "from_envvar"}),
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
    path = file_of_key(key)
    plain = WORD.findall(re.sub(r"'[^']*'", " ", key))
    meaningful = [w for w in plain if w not in GENERIC]
    if meaningful and not quoted and path is None:
        add(meaningful[-1], SPECIFIC)
        for word in meaningful[:-1]:
            add(word, CONTEXT)
    if path is not None:  # a file is named by its path or its name; its folders are context
        add(path, SPECIFIC)
        name = path.rsplit("/", 1)[-1]
        add(name, SPECIFIC)
        add(name.split(".", 1)[0], CONTEXT)
        for folder in path.split("/")[:-1]:
            add(folder, CONTEXT)
    for value in (change.after, change.before):
        for word in WORD.findall(value or ""):
            if not re.fullmatch(r"[0-9a-f]{6,}", word):
                add(word, CONTEXT)
        if change.probe == "sys.path" and value and ", provides " in value:
            for module in value.split(", provides ", 1)[1].split():  # what a test imports
                add(module, SPECIFIC)
    if change.probe == "logging":  # logger names are module names every test touches
        for word in list(words):
            words[word] = CONTEXT
        for name in quoted:  # but a dotted logger name in full is spelled out by its reader
            if "." in name:
                words[name] = SPECIFIC
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


@dataclass(frozen=True)
class Match:
    """How strongly a test reads some leaked changes, and which ones (strongest first)."""

    strength: int
    named: bool
    """Some matched change is rare state the test's code referred to by its own name."""
    changes: tuple[Change, ...] = ()

    def __bool__(self) -> bool:
        return self.strength > 0


NO_MATCH = Match(0, False)


def score(
    changes: Iterable[Change], names: set[str], common: Collection[tuple[str, str]] = ()
) -> Match:
    """How strongly a test whose code used ``names`` reads ``changes``, and which ones.

    A change counts when one of its specific words (or a reader call) is among the names.
    Its value is the sum of its specific words found plus, only then, its context words (a
    module or value word alone proves nothing); a change matched by reader calls only is
    worth ``READER`` however many reader calls the test made (``now``, ``strftime`` and
    ``tzinfo`` are one reading of the time zone, not three). A change that empties or
    removes state scores lower: it is more likely a cleanup than a leak. A change to
    ``common`` state (keys many tests change) is worth 1 at most. The score is the best
    single change's.
    """
    ranked: list[tuple[int, int, Change]] = []
    named = False
    for index, change in enumerate(changes):
        words = change_words(change)
        hits = [word for word in words if word in names]
        specific = sum(words[word] for word in hits if words[word] >= SPECIFIC)
        if specific:
            value = specific + sum(words[word] for word in hits if words[word] == CONTEXT)
        elif any(words[word] == READER for word in hits):
            value = READER
        else:
            continue
        if _empty(change.after):
            value -= EMPTIED
        if change.where in common:
            value = min(value, 1)
        elif specific and value > 0:
            named = True
        ranked.append((value, index, change))
    if not ranked:
        return NO_MATCH
    ranked.sort(key=lambda entry: (-entry[0], entry[1]))
    return Match(max(0, ranked[0][0]), named, tuple(change for _, _, change in ranked))


def _empty(value: str | None) -> bool:
    if value in EMPTY:
        return True
    head = value.split("#", 1)[0] if value else ""
    return head in EMPTY or bool(EMPTY_CONTAINER.fullmatch(head))


def words_of_test(touched: Iterable[str], failure: str) -> set[str]:
    """The names a test's code used and the words of its failure text."""
    names = set(touched)
    names.update(WORD.findall(failure))
    names.update(re.findall(r"[A-Za-z_][\w.-]*\.[A-Za-z0-9]+", failure))
    for name in list(names):
        if "." in name:
            names.update(part for part in name.split(".") if part)
    return names
