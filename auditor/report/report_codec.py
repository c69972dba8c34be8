"""A `Report` to and from JSON-ready data, validated field by field on the way back.

The scan cache (`auditor.report.scan_cache`) stores whole reports. As with the summaries
(`auditor.parse.codec`), reading must never run code and anything of the wrong shape must
be a miss: :func:`decode_report` builds only the dataclasses a `Report` is made of (found
from its annotations), checks every value against its field's annotation and raises
:class:`Malformed` at the first thing that does not fit.

Layout: a dataclass becomes the list of its fields' values in field order, a tuple a list,
a dict a JSON object (string keys only), an enum its value, a path its string; strings,
numbers, booleans and None stay themselves.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Mapping
from pathlib import Path, PurePath
from typing import Union

from auditor.parse.codec import Decoder, Malformed, fixed_tuple, tuple_of
from auditor.report.contents import Report


class Unencodable(TypeError):
    """A report holding a value the layout has no place for (nothing is stored)."""


def encode_report(report: Report) -> object:
    """The report as lists, objects, strings, numbers, booleans and None."""
    return _encode(report)


def decode_report(data: object) -> Report:
    """The report ``data`` encodes; :class:`Malformed` when it is anything else."""
    found = _class_decoder(Report)(data)
    assert isinstance(found, Report)
    return found


def _encode(value: object) -> object:
    if value is None or type(value) in (str, int, float, bool):
        return value
    if isinstance(value, enum.Enum):
        return _encode(value.value)
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, tuple):
        return [_encode(item) for item in value]
    if isinstance(value, Mapping):
        if not all(type(key) is str for key in value):
            raise Unencodable("a mapping with keys that are not strings")
        return {key: _encode(item) for key, item in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [_encode(getattr(value, name)) for name in _fields(type(value))]
    raise Unencodable(f"no layout for a {type(value).__name__}")


# -- decoders built from the annotations, once per class, on first use -----------------

_FIELDS: dict[type, tuple[str, ...]] = {}
_DECODERS: dict[type, Decoder] = {}


def _fields(cls: type) -> tuple[str, ...]:
    found = _FIELDS.get(cls)
    if found is None:
        fields = dataclasses.fields(cls)
        if any(not field.init for field in fields):
            raise Unencodable(f"{cls.__name__} has fields its constructor does not take")
        found = _FIELDS[cls] = tuple(field.name for field in fields)
    return found


def _class_decoder(cls: type) -> Decoder:
    found = _DECODERS.get(cls)
    if found is None:
        module = __import__(cls.__module__, fromlist=["_"])
        hints = typing.get_type_hints(cls, vars(module))
        names = _fields(cls)
        decoders = [_decoder(hints[name]) for name in names]
        size = len(names)

        def check(data: object) -> object:
            if not isinstance(data, list) or len(data) != size:
                raise Malformed(f"expected a {cls.__name__} of {size} fields")
            return cls(*[decoder(value) for decoder, value in zip(decoders, data, strict=True)])

        found = _DECODERS[cls] = check
    return found


def _decoder(annotation: object) -> Decoder:
    """A function that checks (and rebuilds) one value of type ``annotation``."""
    if annotation in (str, int, bool):
        return _exactly(annotation)
    if annotation is float:
        return _number
    if annotation is type(None):
        return _exactly(type(None))
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return _enum(annotation)
    if isinstance(annotation, type) and issubclass(annotation, PurePath):
        return _path
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        return _later(annotation)
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin in (Union, types.UnionType):
        return _union([_decoder(argument) for argument in arguments])
    if origin is tuple:
        if len(arguments) == 2 and arguments[1] is Ellipsis:
            return tuple_of(_decoder(arguments[0]))
        return fixed_tuple([_decoder(argument) for argument in arguments])
    if origin in (dict, Mapping) and arguments and arguments[0] is str:
        return _mapping_of(_decoder(arguments[1]))
    raise TypeError(f"no report decoder for {annotation!r}")


def _later(cls: type) -> Decoder:
    """The decoder of a dataclass, looked up when a value comes (classes may nest)."""

    def check(data: object) -> object:
        return _class_decoder(cls)(data)

    return check


def _exactly(kind: type) -> Decoder:
    def check(value: object) -> object:
        if type(value) is not kind:
            raise Malformed(f"expected {kind.__name__}, got {type(value).__name__}")
        return value

    return check


def _number(value: object) -> object:
    """A float field keeps what it held: JSON gives an int back for an int."""
    if type(value) not in (int, float):
        raise Malformed(f"expected a number, got {type(value).__name__}")
    return value


def _path(value: object) -> Path:
    if type(value) is not str:
        raise Malformed(f"expected a path, got {type(value).__name__}")
    return Path(value)


def _enum(kind: type[enum.Enum]) -> Decoder:
    def check(value: object) -> object:
        try:
            return kind(value)
        except ValueError as exc:
            raise Malformed(str(exc)) from exc

    return check


def _union(options: list[Decoder]) -> Decoder:
    def check(value: object) -> object:
        for option in options:
            found = _attempt(option, value)
            if found is not _MISS:
                return found
        raise Malformed(f"no alternative takes a {type(value).__name__}")

    return check


_MISS = object()


def _attempt(decoder: Decoder, value: object) -> object:
    try:
        return decoder(value)
    except Malformed:
        return _MISS


def _mapping_of(item: Decoder) -> Decoder:
    def check(value: object) -> dict[str, object]:
        if not isinstance(value, dict):
            raise Malformed(f"expected an object, got {type(value).__name__}")
        return {key: item(element) for key, element in value.items()}

    return check
