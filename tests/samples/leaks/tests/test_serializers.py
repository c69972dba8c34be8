import json
import sys
import types

from leakapp import serializers


def test_falls_back_to_stdlib_json():
    assert serializers.backend_name() == "json"
    assert serializers.dumps({"a": 1}) == '{"a": 1}'


def test_prefers_ujson_when_installed():
    fake_ujson = types.ModuleType("ujson")
    fake_ujson.dumps = lambda obj: json.dumps(obj, separators=(",", ":"))
    sys.modules["ujson"] = fake_ujson
    assert serializers.backend_name() == "ujson"
    assert serializers.dumps({"a": 1}) == '{"a":1}'
