"""Summaries to and from JSON-ready data, validated field by field on the way back.

The cache stores summaries in a layout of our own instead of pickle: reading a cache file
must never run code (a planted pickle runs whatever its ``__reduce__`` names, and a cache
folder can be committed to a repository), and an entry of the wrong shape must be a cache
miss, not a traceback later on.

A summary dataclass becomes a list ``[tag, field, field, ...]`` in field order (the tag is
its class name, from a fixed set), tuples become lists, and strings, integers, booleans
and ``None`` stay themselves. :func:`decode` rebuilds only the classes of
:mod:`auditor.parse.summary`, checks every value against its field's annotation (a
``bool`` where an ``int`` belongs is wrong too) and raises :class:`Malformed` at the first
thing that does not fit.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from typing import Any, Union

from auditor.parse import summary as summaries

Decoder = Callable[[object], Any]

CLASSES: tuple[type, ...] = (
    summaries.Mark,
    summaries.Parametrize,
    summaries.FixtureSpec,
    summaries.Param,
    summaries.Shape,
    summaries.Call,
    summaries.Reach,
    summaries.Function,
    summaries.Class,
    summaries.Binding,
    summaries.DynamicFixture,
    summaries.ModuleSummary,
    summaries.ParseFailure,
)
"""Every class a summary is made of; nothing else is ever built from cache data."""


class Malformed(ValueError):
    """Cache data that is not of this version's layout (a summary, a stored report)."""


def encode(value: object) -> object:
    """A summary (or any part of one) as lists, strings, numbers, booleans and None."""
    if isinstance(value, tuple):
        return [encode(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = _FIELDS[type(value)]
        return [type(value).__name__, *(encode(getattr(value, name)) for name in fields)]
    return value


def decode(data: object) -> summaries.ModuleSummary | summaries.ParseFailure:
    """The summary ``data`` encodes; :class:`Malformed` when it is anything else."""
    found = _decode_any_class(data)
    if not isinstance(found, (summaries.ModuleSummary, summaries.ParseFailure)):
        raise Malformed(f"a {type(found).__name__} where a file's summary belongs")
    return found


# -- decoders built once per class from its annotations ------------------------------------

_FIELDS: dict[type, tuple[str, ...]] = {
    cls: tuple(field.name for field in dataclasses.fields(cls)) for cls in CLASSES
}
_BY_NAME: dict[str, type] = {cls.__name__: cls for cls in CLASSES}
_DECODERS: dict[type, tuple[Decoder, ...]] = {}


def _decode_any_class(data: object) -> object:
    if not isinstance(data, list) or not data or not isinstance(data[0], str):
        raise Malformed("expected a tagged record")
    cls = _BY_NAME.get(data[0])
    if cls is None:
        raise Malformed(f"unknown record {data[0]!r}")
    return _decode_record(cls, data)


def _decode_record(cls: type, data: object) -> object:
    return _COMPILED[cls](data)


# -- decoders compiled from the annotations ------------------------------------------------
#
# Each class gets one straight-line function, generated at import from its own field
# annotations (never from cache data): a type check per value and no call per field.
# It checks exactly what `_decoder` describes, about four times faster than calling a
# closure per value (decoding was the largest cost of a scan after one file changed).


class _Source:
    """Lines of one generated function, with fresh local names."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.count = 0

    def name(self) -> str:
        self.count += 1
        return f"v{self.count}"

    def add(self, indent: int, line: str) -> None:
        self.lines.append("    " * indent + line)


_PRIMITIVES: dict[object, str] = {str: "str", int: "int", bool: "bool"}


def _emit(source: _Source, annotation: object, var: str, indent: int) -> None:
    """Lines that check `var` against `annotation` and leave the rebuilt value in it."""
    if annotation in _PRIMITIVES:
        kind = _PRIMITIVES[annotation]
        source.add(indent, f"if type({var}) is not {kind}:")
        source.add(indent + 1, f"raise Malformed('expected {kind}, got ' + type({var}).__name__)")
        return
    if annotation is type(None):
        source.add(indent, f"if {var} is not None:")
        source.add(indent + 1, f"raise Malformed('expected None, got ' + type({var}).__name__)")
        return
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin in (Union, types.UnionType):
        present = [argument for argument in arguments if argument is not type(None)]
        if len(present) == 1 and len(arguments) == 2:
            source.add(indent, f"if {var} is not None:")
            _emit(source, present[0], var, indent + 1)
            return
    if origin is tuple:
        source.add(indent, f"if type({var}) is not list:")
        source.add(indent + 1, f"raise Malformed('expected a list, got ' + type({var}).__name__)")
        if len(arguments) == 2 and arguments[1] is Ellipsis:
            item = arguments[0]
            if isinstance(item, type) and item in _FIELDS:
                source.add(indent, f"{var} = tuple([_dec_{item.__name__}(e) for e in {var}])")
                return
            element = source.name()
            if item in _PRIMITIVES or item is type(None):
                source.add(indent, f"for {element} in {var}:")
                _emit(source, item, element, indent + 1)
                source.add(indent, f"{var} = tuple({var})")
                return
            rebuilt = source.name()
            source.add(indent, f"{rebuilt} = []")
            source.add(indent, f"for {element} in {var}:")
            _emit(source, item, element, indent + 1)
            source.add(indent + 1, f"{rebuilt}.append({element})")
            source.add(indent, f"{var} = tuple({rebuilt})")
            return
        names = [source.name() for _ in arguments]
        source.add(indent, f"if len({var}) != {len(arguments)}:")
        source.add(indent + 1, f"raise Malformed('expected a list of {len(arguments)}')")
        if names:
            source.add(indent, f"{', '.join(names)}, = {var}")
        for argument, name in zip(arguments, names, strict=True):
            _emit(source, argument, name, indent)
        source.add(indent, f"{var} = ({''.join(n + ', ' for n in names)})")
        return
    if isinstance(annotation, type) and annotation in _FIELDS:
        source.add(indent, f"{var} = _dec_{annotation.__name__}({var})")
        return
    raise TypeError(f"no cache decoder for {annotation!r}")


def _compile() -> dict[type, Decoder]:
    source = _Source()
    for cls in CLASSES:
        hints = typing.get_type_hints(cls, vars(summaries))
        fields = _FIELDS[cls]
        name = cls.__name__
        count = len(fields) + 1
        source.add(0, f"def _dec_{name}(data):")
        source.add(1, f"if type(data) is not list or len(data) != {count} or data[0] != {name!r}:")
        source.add(2, f"raise Malformed('expected a {name} of {count - 1} fields')")
        locals_ = [source.name() for _ in fields]
        source.add(1, f"_, {''.join(n + ', ' for n in locals_)}= data")
        for field, local in zip(fields, locals_, strict=True):
            _emit(source, hints[field], local, 1)
        source.add(1, f"return {name}({', '.join(locals_)})")
    namespace: dict[str, object] = {"Malformed": Malformed, **_BY_NAME}
    exec(compile("\n".join(source.lines), "<auditor.parse.codec>", "exec"), namespace)
    return {cls: typing.cast(Decoder, namespace[f"_dec_{cls.__name__}"]) for cls in CLASSES}


_COMPILED: dict[type, Decoder] = _compile()


def _decoder(annotation: object) -> Decoder:
    """A function that checks (and rebuilds) one value of type ``annotation``."""
    if annotation is str:
        return _exactly(str)
    if annotation is int:
        return _exactly(int)
    if annotation is bool:
        return _exactly(bool)
    if annotation is type(None):
        return _none
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin in (Union, types.UnionType):
        present = [argument for argument in arguments if argument is not type(None)]
        if len(present) == 1 and len(arguments) == 2:  # `X | None`, the only union we use
            return _optional(_decoder(present[0]))
    if origin is tuple:
        if len(arguments) == 2 and arguments[1] is Ellipsis:
            return tuple_of(_decoder(arguments[0]))
        return fixed_tuple([_decoder(argument) for argument in arguments])
    if isinstance(annotation, type) and annotation in _FIELDS:
        return lambda data: _reference_record(annotation, data)
    raise TypeError(f"no cache decoder for {annotation!r}")


def _exactly(kind: type) -> Decoder:
    def check(value: object) -> object:
        if type(value) is not kind:
            raise Malformed(f"expected {kind.__name__}, got {type(value).__name__}")
        return value

    return check


def _none(value: object) -> None:
    if value is not None:
        raise Malformed(f"expected None, got {type(value).__name__}")


def _optional(present: Decoder) -> Decoder:
    def check(value: object) -> object:
        return None if value is None else present(value)

    return check


def tuple_of(item: Decoder) -> Decoder:
    def check(value: object) -> tuple[object, ...]:
        if not isinstance(value, list):
            raise Malformed(f"expected a list, got {type(value).__name__}")
        return tuple([item(element) for element in value])

    return check


def fixed_tuple(items: list[Decoder]) -> Decoder:
    def check(value: object) -> tuple[object, ...]:
        if not isinstance(value, list) or len(value) != len(items):
            raise Malformed(f"expected a list of {len(items)}")
        return tuple([item(element) for item, element in zip(items, value, strict=True)])

    return check


def reference_decode(data: object) -> object:
    """What :func:`decode` compiles, interpreted one closure per value: the plain
    statement of the checks, kept to test the compiled decoders against."""
    if not isinstance(data, list) or not data or not isinstance(data[0], str):
        raise Malformed("expected a tagged record")
    cls = _BY_NAME.get(data[0])
    if cls is None:
        raise Malformed(f"unknown record {data[0]!r}")
    return _reference_record(cls, data)


def _reference_record(cls: type, data: object) -> object:
    if not isinstance(data, list) or not data or data[0] != cls.__name__:
        raise Malformed(f"expected a {cls.__name__}")
    decoders = _DECODERS[cls]
    if len(data) != len(decoders) + 1:
        raise Malformed(f"{cls.__name__}: {len(data) - 1} fields, expected {len(decoders)}")
    return cls(*[decoder(value) for decoder, value in zip(decoders, data[1:], strict=True)])


for _cls in CLASSES:
    _hints = typing.get_type_hints(_cls, vars(summaries))
    _DECODERS[_cls] = tuple(_decoder(_hints[name]) for name in _FIELDS[_cls])
