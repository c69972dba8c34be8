"""Helpers of the duplicates rules: where a group member is, and how to name it."""

from __future__ import annotations

from collections.abc import Sequence

from auditor.api import Member, SuiteView
from auditor.api import percent as percent  # the one percentage helper, for the rules here


def where(member: Member) -> str:
    """ "`name` (path:line)"."""
    return f"`{member.name}` ({member.path}:{member.line})"


def listing(members: Sequence[Member], shown: int = 3) -> str:
    """Members as "`a` (p:1), `b` (p:9) and 2 more"."""
    text = ", ".join(where(m) for m in members[:shown])
    more = len(members) - shown
    return f"{text} and {more} more" if more > 0 else text


def _shape(suite: SuiteView, member: Member) -> tuple[str, tuple[str, ...]] | None:
    """The renamed digest and the literal values of the def at the member's line; None
    when the parsed module does not have it."""
    summary = suite.suite.modules.get(member.path)
    if summary is None:
        return None
    for function, _ in summary.defs():
        if function.line == member.line and function.shape is not None:
            return function.shape.renamed, function.shape.values
    return None


def literal_values(suite: SuiteView, member: Member) -> tuple[str, ...] | None:
    """The literals of the def at the member's line, in order, as written; None when
    the parsed module does not have it."""
    found = _shape(suite, member)
    return None if found is None else found[1]


def locals_only(suite: SuiteView, members: Sequence[Member]) -> bool:
    """Do the members' codes differ only in the names they bind and in literal values
    (not in the names of what they call or read, nor in the kinds of their literals)?
    True when a def is missing."""
    shapes = [_shape(suite, m) for m in members]
    return len({s[0] for s in shapes if s is not None}) <= 1


def plural(count: int, word: str, many: str = "") -> str:
    return f"{count} {word if count == 1 else many or word + 's'}"


def clip(text: str, limit: int = 400) -> str:
    """`text`, cut after at most `limit` characters at a ", " (a suggestion lists the
    values of every case: thousands of generated tests make a 100 kB message)."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    cut = head.rfind(", ")
    return (head[:cut] if cut > 0 else head) + ", …"
