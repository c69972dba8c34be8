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

No read of a value may take a snapshot down: a ``repr``, a ``__len__`` or a ``__qualname__``
that raises (a context-local proxy outside its context, a broken subclass) leaves the value's
type and identity as its fingerprint. Only types decide how a value is read (``type()``,
never ``isinstance``, which asks the object for its ``__class__``).

To reuse a fingerprint instead of computing it again, a caller passes :class:`Reads`: each
container the fingerprint read is noted there (its length, the ids of what it held, how to
reach it again), and :meth:`Reads.unchanged` later tells, by identity alone and without
running the suite's code, whether every container still holds the very same objects;
:class:`Bulk` asks many of them at once, in C. Identities are compared as
:data:`address`, never ``id()``, whose audit event would call the plugin's audit hook.
"""

from __future__ import annotations

import contextlib
import enum
import operator
import sys
import types
import weakref
import zlib
from collections.abc import Iterable, Iterator
from itertools import chain, islice, repeat
from operator import is_
from typing import Any

from auditor.dynamic.probes import short

SCALARS = (str, bytes, int, float, complex, bool, type(None))
MAX_ELEMENTS = 200
MAX_TEXT = 64
"""Characters of a string (or bytes) read: the fingerprint shows fewer anyway."""
WEAK = (weakref.WeakValueDictionary, weakref.WeakKeyDictionary, weakref.WeakSet)
FROZEN = (tuple, frozenset)
SCALAR, ENUM, MAPPING, COLLECTION, WEAKLY, DEFINITION, OTHER = range(7)
address = object.__hash__ if sys.implementation.name == "cpython" else id
"""An object's identity as a number, without the ``builtins.id`` audit event: once the
plugin's audit hook is installed (the profile, the sqlite probe), every ``id()`` calls it,
which makes ``id`` about six times dearer (three times this). CPython's default hash is the
object's address rotated by four bits: one number per live object, like ``id``."""
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
    try:
        return short(repr(value), 60)
    except Exception:  # a subclass's __repr__ that raises: the value is its identity
        return _identity(value)


def _identity(value: object) -> str:
    return f"<{type(value).__name__}>#{id(value):x}"


def _weak_size(value: object) -> int:
    """A weak container's length, from its ``data`` (no user ``__len__`` runs)."""
    try:
        return len(vars(value).get("data", ()))
    except Exception:  # a subclass without the usual ``data``
        return -1


def _weak(value: object) -> str:
    return f"{type(value).__name__}(len={_weak_size(value)})"


def _size(value: object) -> int:
    """The length of a builtin container (or a class's namespace), without a subclass's
    ``__len__``."""
    if type(value) is types.MappingProxyType:
        return len(value)
    return dict.__len__(value) if _kind(value) == MAPPING else len(value)  # type: ignore[arg-type]


def held(value: object, limit: int | None = MAX_ELEMENTS) -> tuple[object, ...]:
    """The objects a container holds, in the order a fingerprint reads them (the first
    ``limit`` entries): keys and values of a mapping (a ``dict``, a class's
    ``mappingproxy``), elements of a sequence or set."""
    if issubclass(type(value), dict):
        return tuple(chain.from_iterable(islice(dict.items(value), limit)))  # type: ignore[arg-type]
    if type(value) is types.MappingProxyType:
        return tuple(chain.from_iterable(islice(value.items(), limit)))
    return tuple(islice(value, limit))  # type: ignore[call-overload]


def namespace_of(owner: object) -> object:
    """A class's ``mappingproxy`` or another object's own ``__dict__``, read without the
    ``__getattribute__`` or ``__getattr__`` of its class."""
    if issubclass(type(owner), type):
        return type.__dict__["__dict__"].__get__(owner)
    return object.__getattribute__(owner, "__dict__")


_KEPT = (str, bytes, int, float, complex, bool, type(None))
"""Values held as they are while a read is remembered: they hold nothing and never die
observably, so their ids stay theirs."""


class _Stale:
    """Set by the death of an object a read held (its id may then be another's)."""

    __slots__ = ("stale",)

    def __init__(self) -> None:
        self.stale = False

    def __call__(self, ref: object) -> None:
        self.stale = True


_HELD, _OWNED, _ROOT, _INNER, _WEAK_ROOT, _WEAK_INNER = range(6)
"""How each noted container is reached again: a namespace held as it is (a module's, a
class's), a namespace of an owner referenced weakly (another object's ``__dict__``), a
container held as it is, a container at a position in an earlier one, and weak
containers (of which only the length is read) either way."""


class Reads:
    """The containers a set of fingerprints read, to tell later by identity alone (no
    ``__eq__`` or ``__len__`` of the suite's runs) whether they would come out the same.

    Namespaces (a module's, a class's, an object's ``__dict__``) are remembered as their
    names and the values themselves, compared with ``is``; an object whose ``__dict__`` it
    is is referenced weakly. Any other container is remembered as its length, the ids of
    what it held, and where it sits (its position in the namespace or container it was
    read from; a container read on its own is held). What such a container held is not kept
    alive by the reads (scalars aside, which hold nothing): it is referenced weakly, and its
    death makes the reads stale (its id could be another's), so a test that drops the last
    reference to an object, from a cache say, still sees it go.
    """

    __slots__ = ("_entries", "_kept", "_refs", "_seen", "_stale")

    def __init__(self) -> None:
        self._entries: list[tuple[Any, ...]] = []
        """``(how, where, ...)`` per container, in the order read (see ``unchanged``)."""
        self._kept: list[object] = []
        self._refs: list[weakref.ref[object]] = []
        self._seen: set[int] = set()
        self._stale = _Stale()

    def __len__(self) -> int:
        return len(self._entries)

    def namespace(self, owner: object) -> int:
        """Note an owner's namespace; the position of a value in it is its index."""
        namespace: Any = namespace_of(owner)
        names: tuple[object, ...] | None = tuple(namespace)
        values = tuple(namespace.values())
        if not all(type(name) is str for name in names):  # type: ignore[union-attr]
            names = None  # names that would compare by user code: read again every time
        if issubclass(type(owner), (types.ModuleType, type)):  # a namespace for good
            self._entries.append((_HELD, namespace, names, values))
        else:
            try:
                self._entries.append((_OWNED, weakref.ref(owner, self._stale), names, values))
            except TypeError:  # not weakly referable: its namespace is held
                self._entries.append((_HELD, namespace, names, values))
        return len(self._entries) - 1

    def container(self, value: object, where: tuple[int, int] = (-1, -1)) -> int:
        """Note a container read by a fingerprint, ``where`` (entry, position) it sits."""
        elements = held(value)
        ids = tuple(map(address, elements))
        if where[0] < 0:
            self._entries.append((_ROOT, value, _size(value), ids))
        else:
            self._entries.append((_INNER, where[0], where[1], _size(value), ids))
        seen = self._seen
        for element in elements:
            number = address(element)
            if number in seen:
                continue
            seen.add(number)
            kind = type(element)
            if kind in _KEPT:
                self._kept.append(element)
            elif kind.__weakrefoffset__:
                with contextlib.suppress(TypeError):  # a type that refuses after all
                    self._refs.append(weakref.ref(element, self._stale))
        return len(self._entries) - 1

    def frozen(self, entry: int, value: object) -> None:
        """The container noted at ``entry`` (and what was noted inside it) turned out
        immutable all the way down: it is held instead, so its id stays its own."""
        del self._entries[entry:]
        self._kept.append(value)

    def weak(self, value: object, where: tuple[int, int]) -> None:
        """Note a weak container, of which only the length is read."""
        if where[0] < 0:
            self._entries.append((_WEAK_ROOT, value, _weak_size(value)))
        else:
            self._entries.append((_WEAK_INNER, where[0], where[1], _weak_size(value)))

    def unchanged(self) -> bool:
        """Every container still holds the very same objects."""
        if self._stale.stale:
            return False
        now: list[tuple[object, ...]] = []
        append = now.append
        try:
            for entry in self._entries:
                how = entry[0]
                if how in (_HELD, _OWNED):
                    _, namespace, names, values = entry
                    if how == _OWNED:
                        owner = namespace()
                        if owner is None:
                            return False
                        namespace = namespace_of(owner)
                    if (
                        len(namespace) != len(values)
                        or not all(map(is_, namespace.values(), values))
                        or tuple(namespace) != names  # exact str names: no user code runs
                    ):
                        return False
                    append(values)  # the very same values
                    continue
                if how in (_ROOT, _WEAK_ROOT):
                    value = entry[1]
                    rest = entry[2:]
                else:
                    above = now[entry[1]]
                    if entry[2] >= len(above):
                        return False
                    value = above[entry[2]]
                    rest = entry[3:]
                if how in (_WEAK_ROOT, _WEAK_INNER):
                    if _weak_size(value) != rest[0]:
                        return False
                    append(())
                    continue
                size, ids = rest
                if _size(value) != size:
                    return False
                elements = held(value)
                if tuple(map(address, elements)) != ids:
                    return False
                append(elements)
        except Exception:  # something that cannot be read as before: compute again
            return False
        return True


_IS_STALE = operator.attrgetter("stale")
_VALUES = operator.methodcaller("values")
_CALL = weakref.ref.__call__
_DICT = repeat("__dict__")
_UNCHANGED = operator.methodcaller("unchanged")


class Bulk:
    """Several :class:`Reads` asked at once whether they are unchanged, in C where it can be
    (``map``, ``chain``, ``islice``, ``is_``: no Python frame per entry). Namespaces (held
    ones, and those of owners referenced weakly), containers read on their own (a module's
    list or dict: its length and what it holds, by identity) and containers and weak
    containers sitting in a namespace (a class's list, an object's dict: the namespace's
    noted values hold them already, and while the namespace holds the very same values they
    are the very ones) are compared in one pass each; only the reads that noted a container
    inside another container (reached through its position) are asked one by one. Most of
    a module's globals are classes, objects and tables. A container that holds only
    scalars (names, numbers: they hold nothing and never die observably) is compared with
    what it held itself, by ``is``, instead of by addresses (a number made per element)."""

    __slots__ = (
        "_map_ids",
        "_map_sizes",
        "_maps",
        "_names",
        "_owned_names",
        "_owned_values",
        "_plain_map_items",
        "_plain_map_sizes",
        "_plain_maps",
        "_plain_seq_items",
        "_plain_seq_sizes",
        "_plain_seqs",
        "_refs",
        "_rest",
        "_seq_ids",
        "_seq_sizes",
        "_seqs",
        "_spaces",
        "_stales",
        "_values",
        "_weak_sizes",
        "_weaks",
    )

    def __init__(self, reads: Iterable[Reads]) -> None:
        spaces: list[Any] = []
        names: list[object] = []
        values: list[object] = []
        refs: list[Any] = []
        owned_names: list[object] = []
        owned_values: list[object] = []
        seqs: list[Any] = []
        seq_sizes: list[int] = []
        seq_ids: list[int] = []
        maps: list[Any] = []
        map_sizes: list[int] = []
        map_ids: list[int] = []
        weaks: list[object] = []
        weak_sizes: list[int] = []
        plain: dict[bool, tuple[list[Any], list[int], list[object]]] = {
            True: ([], [], []),
            False: ([], [], []),
        }
        """Containers of scalars alone, what they hold: sequences (``True``) and mappings."""
        self._stales: list[_Stale] = []
        self._rest: list[Reads] = []
        for read in reads:
            resolved = _resolved(read._entries)
            if resolved is None:
                self._rest.append(read)
                continue
            if read._refs:  # else nothing it holds weakly can die: an owner's death shows
                self._stales.append(read._stale)  # in the check itself (no ``__dict__``)
            for how, where, entry in resolved:
                if how == _HELD:
                    spaces.append(where)
                    names.extend(entry[2])
                    values.extend(entry[3])
                elif how == _OWNED:
                    refs.append(where)
                    owned_names.extend(entry[2])
                    owned_values.extend(entry[3])
                elif how == _WEAK_ROOT:
                    weaks.append(where)
                    weak_sizes.append(entry[-1])
                else:
                    sequence = type(where) in _SEQUENCES
                    elements = _scalars_held(where, entry[-1])
                    if elements is not None:
                        kept = plain[sequence]
                        kept[0].append(where)
                        kept[1].append(entry[-2])
                        kept[2].extend(elements)
                    elif sequence:
                        seqs.append(where)
                        seq_sizes.append(entry[-2])
                        seq_ids.extend(entry[-1])
                    else:
                        maps.append(where)
                        map_sizes.append(entry[-2])
                        map_ids.extend(entry[-1])
        self._spaces = tuple(spaces)
        self._names = tuple(names)
        self._values = tuple(values)
        self._refs = tuple(refs)
        self._owned_names = tuple(owned_names)
        self._owned_values = tuple(owned_values)
        self._seqs = tuple(seqs)
        self._seq_sizes = tuple(seq_sizes)
        self._seq_ids = tuple(seq_ids)
        self._maps = tuple(maps)
        self._map_sizes = tuple(map_sizes)
        self._map_ids = tuple(map_ids)
        self._weaks = tuple(weaks)
        self._weak_sizes = tuple(weak_sizes)
        self._plain_seqs, self._plain_seq_sizes, self._plain_seq_items = map(tuple, plain[True])
        self._plain_maps, self._plain_map_sizes, self._plain_map_items = map(tuple, plain[False])

    @classmethod
    def of(cls, bulks: Iterable[Bulk]) -> Bulk:
        """One bulk asking what all of ``bulks`` ask (their tuples joined: no entry is
        looked at again)."""
        joined = cls(())
        bulks = list(bulks)
        for name in cls.__slots__:
            parts = [getattr(bulk, name) for bulk in bulks]
            if name in ("_stales", "_rest"):
                setattr(joined, name, list(chain.from_iterable(parts)))
            else:
                setattr(joined, name, tuple(chain.from_iterable(parts)))
        return joined

    @property
    def one_by_one(self) -> int:
        """How many of the reads are asked one by one."""
        return len(self._rest)

    def unchanged(self) -> bool:
        """Every read is unchanged (see :meth:`Reads.unchanged`)."""
        try:
            if any(map(_IS_STALE, self._stales)):
                return False
            if not _same(self._spaces, self._names, self._values):
                return False
            if self._refs:
                owners = tuple(map(_CALL, self._refs))  # a dead one is None: no __dict__
                spaces = tuple(map(object.__getattribute__, owners, _DICT))
                if not _same(spaces, self._owned_names, self._owned_values):
                    return False
            if self._seqs and (
                tuple(map(len, self._seqs)) != self._seq_sizes
                or tuple(map(address, chain.from_iterable(map(islice, self._seqs, _LIMIT))))
                != self._seq_ids
            ):
                return False
            if self._maps:
                if tuple(map(dict.__len__, self._maps)) != self._map_sizes:
                    return False
                items = chain.from_iterable(map(islice, map(dict.items, self._maps), _LIMIT))
                if tuple(map(address, chain.from_iterable(items))) != self._map_ids:
                    return False
            if self._weaks and tuple(map(_weak_size, self._weaks)) != self._weak_sizes:
                return False
            if self._plain_seqs and (
                tuple(map(len, self._plain_seqs)) != self._plain_seq_sizes
                or not all(
                    map(
                        is_,
                        chain.from_iterable(map(islice, self._plain_seqs, _LIMIT)),
                        self._plain_seq_items,
                    )
                )
            ):
                return False
            if self._plain_maps:
                if tuple(map(dict.__len__, self._plain_maps)) != self._plain_map_sizes:
                    return False
                pairs = chain.from_iterable(map(islice, map(dict.items, self._plain_maps), _LIMIT))
                if not all(map(is_, chain.from_iterable(pairs), self._plain_map_items)):
                    return False
        except Exception:  # something that cannot be read as before: ask one by one
            return False
        return all(map(_UNCHANGED, self._rest))


_SEQUENCES = (list, tuple, set, frozenset)
_LIMIT = repeat(MAX_ELEMENTS)


def _scalars_held(container: object, ids: tuple[int, ...]) -> tuple[object, ...] | None:
    """What a container holds when it is scalars alone, the very objects noted as ``ids``
    (``None``: something else, or no longer what was noted)."""
    elements = held(container)
    if not all(type(element) in _KEPT for element in elements):
        return None
    return elements if tuple(map(address, elements)) == ids else None


def _resolved(entries: list[tuple[Any, ...]]) -> list[tuple[int, object, tuple[Any, ...]]] | None:
    """Each entry as :class:`Bulk` compares it in one pass, ``(how, what, entry)``: a
    namespace with exact str names (``_HELD``, ``_OWNED``), a builtin container (``_ROOT``)
    or a weak container (``_WEAK_ROOT``), those sitting in a namespace as the very objects
    its noted values hold; ``None`` when one entry cannot be (a container inside another
    container, reached through its position: the reads are then asked one by one)."""
    resolved: list[tuple[int, object, tuple[Any, ...]]] = []
    for entry in entries:
        how = entry[0]
        if how in (_HELD, _OWNED):
            if entry[2] is None:
                return None
            resolved.append((how, entry[1], entry))
            continue
        if how in (_INNER, _WEAK_INNER):
            above = entries[entry[1]]
            if above[0] not in (_HELD, _OWNED) or entry[2] >= len(above[3]):
                return None
            value = above[3][entry[2]]  # held by the namespace's noted values
            how = _ROOT if how == _INNER else _WEAK_ROOT
        else:
            value = entry[1]
        if how == _ROOT and not (type(value) in _SEQUENCES or issubclass(type(value), dict)):
            return None
        resolved.append((how, value, entry))
    return resolved


def _same(spaces: tuple[Any, ...], names: tuple[object, ...], values: tuple[object, ...]) -> bool:
    """The namespaces hold exactly ``names`` bound to the very same ``values``."""
    now = tuple(chain.from_iterable(map(_VALUES, spaces)))
    return (
        len(now) == len(values)
        and all(map(is_, now, values))
        and tuple(chain.from_iterable(spaces)) == names  # exact str names: no user code runs
    )


def elements(value: object) -> Iterator[object] | None:
    """The elements of a builtin container, read without running user code."""
    kind = _kind(value)
    if kind == MAPPING:
        pairs: Iterable[tuple[object, object]] = dict.items(value)  # type: ignore[arg-type]
        return (item for pair in pairs for item in pair)
    if kind == COLLECTION:
        return iter(value)  # type: ignore[call-overload, no-any-return]
    return None


def _content_hash(
    value: object,
    depth: int,
    budget: list[int],
    reads: Reads | None = None,
    where: tuple[int, int] = (-1, -1),
) -> tuple[int, bool]:
    """The hash of ``value``'s elements, and whether every container it read is immutable
    (then the hash can never change for this very object). ``reads``: where to note each
    container read, ``where`` it sits (see :class:`Reads`)."""
    items = elements(value)
    if items is None:
        return zlib.crc32(_leaf(value, reads, where).encode()), True
    frozen = type(value) in FROZEN
    entry = reads.container(value, where) if reads is not None else -1
    crc = zlib.crc32(type(value).__name__.encode())
    for position, element in enumerate(items):
        budget[0] -= 1
        if budget[0] < 0:
            break
        kind = _kind(element)
        if depth > 0 and kind in (MAPPING, COLLECTION):
            part, inner_frozen = _content_hash(element, depth - 1, budget, reads, (entry, position))
            frozen = frozen and inner_frozen
            crc = zlib.crc32(part.to_bytes(4, "little"), crc)
        else:
            frozen = frozen and kind != WEAKLY
            crc = zlib.crc32(_leaf(element, reads, (entry, position)).encode(), crc)
    if frozen and reads is not None:
        reads.frozen(entry, value)
    return crc, frozen


def _leaf(value: object, reads: Reads | None = None, where: tuple[int, int] = (-1, -1)) -> str:
    kind = _kind(value)
    if kind == SCALAR:
        return _scalar(value)
    if kind == WEAKLY:
        if reads is not None:
            reads.weak(value, where)
        return _weak(value)
    return _identity(value)


def _fingerprint(
    value: object, reads: Reads | None = None, where: tuple[int, int] = (-1, -1)
) -> tuple[str, bool]:
    """The fingerprint, and whether it can never change for this very object."""
    kind = _kind(value)
    if kind in (SCALAR, ENUM):
        return _scalar(value), True
    if kind == WEAKLY:
        return _leaf(value, reads, where), False
    if kind in (MAPPING, COLLECTION):
        size = _size(value)
        digest, frozen = _content_hash(value, 2, [MAX_ELEMENTS], reads, where)
        if size <= 4 and all(_kind(e) in (SCALAR, ENUM) for e in elements(value) or ()):
            try:
                return short(f"{value!r}", 80) + f"#{digest:08x}", frozen
            except Exception:  # a dict subclass whose __repr__ raises
                pass
        return f"{type(value).__name__}(len={size})#{digest:08x}", frozen
    if kind == DEFINITION:
        try:
            return f"<{value.__qualname__}>#{id(value):x}", False  # type: ignore[attr-defined]
        except Exception:  # a metaclass whose __qualname__ raises
            return _identity(value), False
    return _identity(value), False


def fingerprint(
    value: object, reads: Reads | None = None, where: tuple[int, int] = (-1, -1)
) -> str:
    """A short readable fingerprint; equal for equal state, different after a mutation.
    ``reads``: where to note the containers read, ``where`` the value sits in them."""
    return _fingerprint(value, reads, where)[0]


class Fingerprints:
    """:func:`fingerprint` with the fingerprints of immutable containers remembered."""

    LIMIT = 20_000
    """Remembered values at most (then forgotten all at once): a suite that keeps building
    new tuples must not grow the probe's memory without end."""

    def __init__(self) -> None:
        self._frozen: dict[int, tuple[object, str]] = {}

    def __call__(
        self, value: object, reads: Reads | None = None, where: tuple[int, int] = (-1, -1)
    ) -> str:
        if type(value) not in FROZEN:
            return fingerprint(value, reads, where)
        known = self._frozen.get(address(value))
        if known is not None and known[0] is value:
            return known[1]
        text, frozen = _fingerprint(value, reads, where)
        if frozen:
            if len(self._frozen) >= self.LIMIT:
                self._frozen.clear()
            self._frozen[address(value)] = (value, text)
        return text
