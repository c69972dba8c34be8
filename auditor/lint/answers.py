"""Questions a per-file rule asks of the whole suite, kept with its cached results.

A rule whose `check_file` reads a file's neighbourhood (``cache_scope = "file"``) plus a
few precise facts of the whole suite (TA302: whether the suite owns a module attribute;
TA108: whether another file names a function) need not run again on every file after
any edit: it records each such question and its answer while it checks a file, the
cache stores them beside the findings, and a later run reuses the findings only when
the file's key matches *and* every recorded question still gets the same answer.

The protocol is two attributes of the rule instance, looked up by name (rules see the
engine only through `auditor.api`):

- ``asked``: a dict the engine empties before each `check_file` call and reads after
  it; the rule adds ``asked[question] = answer`` for every suite-wide fact it reads
  (a question is a string, an answer a bool, int, string or None);
- ``answer(view, path, question)``: the answer on the current suite to a question the
  rule asked while checking `path`.

A rule that reads the suite in any other way must keep ``cache_scope = "suite"``.
"""

from __future__ import annotations

from typing import Protocol, cast

from auditor.api import Rule, SuiteView

Answer = bool | int | str | None
Asked = tuple[tuple[str, Answer], ...]


class _Asking(Protocol):
    asked: dict[str, Answer]

    def answer(self, view: SuiteView, path: str, question: str) -> Answer: ...


def asks(rule: Rule) -> bool:
    """Whether `rule` records the suite-wide questions its `check_file` asks."""
    return isinstance(getattr(rule, "asked", None), dict) and callable(
        getattr(rule, "answer", None)
    )


def start(rule: Rule) -> None:
    """Forget the questions of the previous file."""
    if asks(rule):
        cast(_Asking, rule).asked = {}


def recorded(rule: Rule) -> Asked:
    """The questions asked since `start`, in a stable order."""
    if not asks(rule):
        return ()
    return tuple(sorted(cast(_Asking, rule).asked.items()))


def still_hold(rule: Rule, view: SuiteView, path: str, asked: Asked) -> bool:
    """Whether every recorded question gets the same answer on `view` now; never true
    for questions a rule that does not ask any could not answer, nor when answering
    raises."""
    if not asked:
        return True
    if not asks(rule):
        return False
    asking = cast(_Asking, rule)
    try:
        return all(asking.answer(view, path, question) == answer for question, answer in asked)
    except Exception:  # a broken rule: run `check_file` again, which reports the crash
        return False


def encode(asked: Asked) -> list[list[object]] | None:
    """`asked` as plain JSON data; None when an answer would not come back the same."""
    encoded: list[list[object]] = []
    for question, answer in asked:
        if type(question) is not str or type(answer) not in (bool, int, str, type(None)):
            return None
        encoded.append([question, answer])
    return encoded


def decode(data: object) -> Asked | None:
    """The questions `data` encodes; None for anything else."""
    if not isinstance(data, list):
        return None
    found: list[tuple[str, Answer]] = []
    for item in data:
        if not isinstance(item, list) or len(item) != 2:
            return None
        question, answer = item
        if type(question) is not str or type(answer) not in (bool, int, str, type(None)):
            return None
        found.append((question, cast(Answer, answer)))
    return tuple(found)
