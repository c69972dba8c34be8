"""Short readable fingerprints of Python values, read without running the suite's code.

Equal state gives equal fingerprints and a mutation gives a different one: containers are
fingerprinted by length and a hash of their elements (nested containers two levels down), so
mutating a list in place is a change, not only rebinding it. ``repr`` runs only for str,
bytes, numbers, None and bool; any other object is its type and identity.

Weak containers (``WeakValueDictionary``, ``WeakKeyDictionary``, ``WeakSet``) are their type
and length only: their entries vanish whenever the collector runs, and their identity differs
from one process to the next, so anything more is noise.

:class:`Fingerprints` remembers the fingerprints of tuples and frozensets that hold nothing
mutable the fingerprint reads (a tuple of 300 names in a module is hashed once per process,
not twice per test). It keeps those values alive so that their ids are not reused.
"""

from __future__ import annotations

import enum
import types
import weakref
import zlib
from collections.abc import Iterable, Iterator

from auditor.dynamic.probes import short

SCALARS = (str, bytes, int, float, complex, bool, type(None))
MAX_ELEMENTS = 200
MAX_TEXT = 64
"""Characters of a string (or bytes) read: the fingerprint shows fewer anyway."""
WEAK = (weakref.WeakValueDictionary, weakref.WeakKeyDictionary, weakref.WeakSet)
FROZEN = (tuple, frozenset)
SCALAR, ENUM, MAPPING, COLLECTION, WEAKLY, DEFINITION, OTHER = range(7)
_KINDS: dict[type, int] = {}
"""Each type's kind, so that a snapshot runs ``isinstance`` once per type, not per value."""


def _kind(value: object) -> int:
    known = _KINDS.get(type(value))
    if known is None:
        if len(_KINDS) > 50_000:  # a suite that makes classes by the thousand
            _KINDS.clear()
        known = _KINDS[type(value)] = _classify(type(value))
    return known


def _classify(kind: type) -> int:
    if issubclass(kind, enum.Enum):  # an IntEnum member is an int: repr it, never expand
        return ENUM if issubclass(kind, SCALARS) else OTHER
    if issubclass(kind, SCALARS):
        return SCALAR
    if issubclass(kind, dict):
        return MAPPING
    if kind in (list, tuple, set, frozenset):
        return COLLECTION
    if issubclass(kind, WEAK):
        return WEAKLY
    if issubclass(kind, types.FunctionType | type):
        return DEFINITION
    return OTHER


def _scalar(value: object) -> str:
    if type(value) in (str, bytes) and len(value) > MAX_TEXT:  # type: ignore[arg-type]
        value = value[:MAX_TEXT]  # type: ignore[index]
    return short(repr(value), 60)


def _identity(value: object) -> str:
    return f"<{type(value).__name__}>#{id(value):x}"


def _weak(value: object) -> str:
    """A weak container's type and length, from its ``data`` (no user ``__len__`` runs)."""
    data = vars(value).get("data", ())
    return f"{type(value).__name__}(len={len(data)})"


def elements(value: object) -> Iterator[object] | None:
    """The elements of a builtin container, read without running user code."""
    kind = _kind(value)
    if kind == MAPPING:
        pairs: Iterable[tuple[object, object]] = dict.items(value)  # type: ignore[arg-type]
        return (item for pair in pairs for item in pair)
    if kind == COLLECTION:
        return iter(value)  # type: ignore[call-overload, no-any-return]
    return None


def _content_hash(value: object, depth: int, budget: list[int]) -> tuple[int, bool]:
    """The hash of ``value``'s elements, and whether every container it read is immutable
    (then the hash can never change for this very object)."""
    items = elements(value)
    if items is None:
        return zlib.crc32(_leaf(value).encode()), True
    frozen = type(value) in FROZEN
    crc = zlib.crc32(type(value).__name__.encode())
    for element in items:
        budget[0] -= 1
        if budget[0] < 0:
            break
        kind = _kind(element)
        if depth > 0 and kind in (MAPPING, COLLECTION):
            part, inner_frozen = _content_hash(element, depth - 1, budget)
            frozen = frozen and inner_frozen
            crc = zlib.crc32(part.to_bytes(4, "little"), crc)
        else:
            frozen = frozen and kind != WEAKLY
            crc = zlib.crc32(_leaf(element).encode(), crc)
    return crc, frozen


def _leaf(value: object) -> str:
    kind = _kind(value)
    if kind == SCALAR:
        return _scalar(value)
    if kind == WEAKLY:
        return _weak(value)
    return _identity(value)


def _fingerprint(value: object) -> tuple[str, bool]:
    """The fingerprint, and whether it can never change for this very object."""
    kind = _kind(value)
    if kind in (SCALAR, ENUM):
        return _scalar(value), True
    if kind == WEAKLY:
        return _weak(value), False
    if kind in (MAPPING, COLLECTION):
        size = len(value)  # type: ignore[arg-type]
        digest, frozen = _content_hash(value, 2, [MAX_ELEMENTS])
        if size <= 4 and all(_kind(e) in (SCALAR, ENUM) for e in elements(value) or ()):
            return short(f"{value!r}", 80) + f"#{digest:08x}", frozen
        return f"{type(value).__name__}(len={size})#{digest:08x}", frozen
    if kind == DEFINITION:
        return f"<{value.__qualname__}>#{id(value):x}", False  # type: ignore[attr-defined]
    return _identity(value), False


def fingerprint(value: object) -> str:
    """A short readable fingerprint; equal for equal state, different after a mutation."""
    return _fingerprint(value)[0]


class Fingerprints:
    """:func:`fingerprint` with the fingerprints of immutable containers remembered."""

    LIMIT = 20_000
    """Remembered values at most (then forgotten all at once): a suite that keeps building
    new tuples must not grow the probe's memory without end."""

    def __init__(self) -> None:
        self._frozen: dict[int, tuple[object, str]] = {}

    def __call__(self, value: object) -> str:
        if type(value) not in FROZEN:
            return fingerprint(value)
        known = self._frozen.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        text, frozen = _fingerprint(value)
        if frozen:
            if len(self._frozen) >= self.LIMIT:
                self._frozen.clear()
            self._frozen[id(value)] = (value, text)
        return text
