"""JSON encoding, using ujson when it is installed."""

import json


def backend():
    try:
        import ujson
    except ImportError:
        return json
    return ujson


def backend_name():
    return backend().__name__


def dumps(obj):
    return backend().dumps(obj)
