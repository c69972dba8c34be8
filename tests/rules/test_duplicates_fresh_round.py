"""Duplicate rules (TA501, TA504) on shapes found wrong on a fresh round of unlabelled
real suites (issue 14, point 4): each decoy next to the case of the same shape that must
still be reported. Synthetic code only."""

from __future__ import annotations

from pathlib import Path

from auditor.api import Invalid, Valid
from tests.rules.cases import check

# -- TA501: one test class (or module) per subject, each testing its own --------------

FILTER_TEST = """\
    def test_filters_between_bounds(self):
        rows = mock.Mock(spec=["where"])
        bounds = mock.Mock(low=datetime(2024, 1, 2, 8, 30), high=datetime(2024, 3, 4, 9, 45))
        column = {subject}(lookup="between", nullable=False)
        column.apply(rows, bounds)
        rows.where.assert_called_once_with(
            stamp__between=(datetime(2024, 1, 2, 8, 30), datetime(2024, 3, 4, 9, 45))
        )
"""


def filter_classes(first: str, second: str, read_by_second: str) -> str:
    return (
        "from datetime import datetime\nfrom unittest import mock\n\n"
        "from stamps.columns import RangeColumn, IsoRangeColumn\n\n\n"
        f"class {first}:\n{FILTER_TEST.format(subject='RangeColumn')}\n\n"
        f"class {second}:\n{FILTER_TEST.format(subject=read_by_second)}"
    )


def test_the_same_test_in_each_subjects_own_class_is_no_copy(tmp_path: Path) -> None:
    # `TestRangeColumn` tests `RangeColumn`, `TestIsoRangeColumn` its subclass: the
    # suite is laid out one class per column type, on purpose
    source = filter_classes("TestRangeColumn", "TestIsoRangeColumn", "IsoRangeColumn")
    check("TA501", Valid(files={"tests/test_columns.py": source}), tmp_path)


def test_the_same_test_over_other_objects_in_classes_named_otherwise_is_reported(
    tmp_path: Path,
) -> None:
    source = filter_classes("TestBetween", "TestBetweenAgain", "IsoRangeColumn")
    check(
        "TA501",
        Invalid(
            files={"tests/test_columns.py": source},
            at=("tests/test_columns.py:19:5",),
            message="the same code over other objects under one name",
        ),
        tmp_path,
    )


def test_a_copy_reading_the_other_classes_subject_is_still_a_copy(tmp_path: Path) -> None:
    # pasted into `TestIsoRangeColumn` but still over `RangeColumn`: a real copy
    source = filter_classes("TestRangeColumn", "TestIsoRangeColumn", "RangeColumn")
    check(
        "TA501",
        Invalid(files={"tests/test_columns.py": source}, at=("tests/test_columns.py:19:5",)),
        tmp_path,
    )


SOURCE_TEST = """\
from config.sources import {subject}


def test_missing_file_gives_no_values(tmp_path):
    class Settings(BaseSettings):
        model_config = SettingsConfig(source_file=tmp_path / "absent", strict=True)

        @classmethod
        def customise_sources(cls, settings_cls, init_source, env_source, file_source):
            return ({subject}(settings_cls),)

    settings = Settings()
    assert settings.model_dump() == {{}}
    assert settings.sources_read() == ["{subject}"]
"""


def test_one_module_per_file_format_each_over_its_own_source_is_no_copy(
    tmp_path: Path,
) -> None:
    files = {
        "tests/test_source_json.py": SOURCE_TEST.format(subject="JsonSource"),
        "tests/test_source_yaml.py": SOURCE_TEST.format(subject="YamlSource"),
    }
    check("TA501", Valid(files=files), tmp_path)


def test_modules_not_named_for_the_sources_still_hold_copies(tmp_path: Path) -> None:
    files = {
        "tests/test_loading.py": SOURCE_TEST.format(subject="JsonSource"),
        "tests/test_reading.py": SOURCE_TEST.format(subject="YamlSource"),
    }
    check("TA501", Invalid(files=files, at=("tests/test_reading.py:4:1",)), tmp_path)


# -- TA504: alike steps that check other values ----------------------------------------

SCHEMA_KEY_TESTS = """\
def test_schema_stores_enum(spec, pet_properties):
    enum = ["name", "photo_urls", "status"]
    spec.components.schema("Pet", {"properties": pet_properties, "enum": enum})
    schemas = spec.to_dict()["components"]["schemas"]
    assert schemas["Pet"]["enum"] == enum
    assert len(schemas) == 1


def test_schema_stores_description(spec, pet_properties):
    text = describe("Pet", lang="en")
    spec.components.schema("Pet", {"properties": pet_properties, "description": text})
    schemas = spec.to_dict()["components"]["schemas"]
    assert schemas["Pet"]["description"] == text
    assert len(schemas) == 1
"""

SCHEMA_COPY_TESTS = """\
def test_schema_stores_enum(spec, pet_properties):
    enum = ["name", "photo_urls", "status"]
    spec.components.schema("Pet", {"properties": pet_properties, "enum": enum})
    schemas = spec.to_dict()["components"]["schemas"]
    assert schemas["Pet"]["enum"] == enum
    assert len(schemas) == 1


def test_schema_stores_enum_of_a_lazy_schema(spec, pet_properties):
    enum = ["name", "photo_urls", "status"]
    spec.components.schema("Pet", {"properties": pet_properties, "enum": enum}, lazy=True)
    schemas = spec.to_dict()["components"]["schemas"]
    assert schemas["Pet"]["enum"] == enum
    assert len(schemas) == 1
"""


def test_alike_steps_checking_other_keys_are_no_near_copies(tmp_path: Path) -> None:
    # one test per key of the schema object: the same shape, other values checked
    check("TA504", Valid(files={"tests/test_schema.py": SCHEMA_KEY_TESTS}), tmp_path)


def test_a_copy_with_a_step_changed_and_the_same_checks_is_still_reported(tmp_path: Path) -> None:
    check(
        "TA504",
        Invalid(
            files={"tests/test_schema.py": SCHEMA_COPY_TESTS}, at=("tests/test_schema.py:9:1",)
        ),
        tmp_path,
    )


ERROR_CASES = """\
import pytest


def test_link_must_be_a_tuple(spec):
    with pytest.raises(SpecError, match="must be a tuple of"):
        spec.path(
            path="/posts",
            operations={"post": {"responses": {"201": {"description": "Created"}}}},
            parameters=[{"name": "id", "in": "path", "required": True}],
            links={"GetPost": "/posts/{id}"},
        )


def test_link_route_must_be_a_string(spec):
    with pytest.raises(SpecError, match="route must be a string"):
        spec.path(
            path="/posts",
            operations={"post": {"responses": {"201": {"description": "Created"}}}},
            parameters=[{"name": "id", "in": "path", "required": True}],
            links={"GetPost": (123, "GET")},
        )
"""


def test_error_cases_with_other_inputs_and_messages_are_still_near_copies(
    tmp_path: Path,
) -> None:
    # bad inputs and their messages: the rows of one table of error cases
    check(
        "TA504",
        Invalid(files={"tests/test_links.py": ERROR_CASES}, at=("tests/test_links.py:14:1",)),
        tmp_path,
    )


VERSIONED_RESPONSES = """\
import pytest


@pytest.mark.parametrize("spec", ["{first}"], indirect=True)
def test_response_schema_is_referenced(spec, pet_schema):
    response = {{"schema": pet_schema, "description": "one pet"}}
    spec.path(path="/pet", operations={{"get": {{"responses": {{200: response}}}}}})
    get = spec.to_dict()["paths"]["/pet"]["get"]
    reference = get["responses"]["200"]["schema"]
    assert reference == spec.ref("schema", "Pet")
    assert len(spec.components.schemas) == 1


@pytest.mark.parametrize("spec", ["{second}"], indirect=True)
def test_response_content_schema_is_referenced(spec, pet_schema):
    response = {{"content": {{"text/json": {{"schema": pet_schema}}}}, "description": "pet"}}
    spec.path(path="/pet", operations={{"get": {{"responses": {{200: response}}}}}})
    get = spec.to_dict()["paths"]["/pet"]["get"]
    reference = get["responses"]["200"]["content"]["text/json"]["schema"]
    assert reference == spec.ref("schema", "Pet")
    assert len(spec.components.schemas) == 1
"""


def test_near_copies_given_other_values_of_an_indirect_fixture_are_no_near_copies(
    tmp_path: Path,
) -> None:
    # one test per version of the format, `spec` built for each: two setups
    source = VERSIONED_RESPONSES.format(first="2.0", second="3.0.0")
    check("TA504", Valid(files={"tests/test_responses.py": source}), tmp_path)


def test_near_copies_over_one_indirect_value_are_still_reported(tmp_path: Path) -> None:
    source = VERSIONED_RESPONSES.format(first="3.0.0", second="3.0.0")
    check(
        "TA504",
        Invalid(files={"tests/test_responses.py": source}, at=("tests/test_responses.py:15:1",)),
        tmp_path,
    )


SECOND_SOURCE_TEST = """

def test_present_file_gives_its_values(tmp_path):
    (tmp_path / "present").write_text("{{}}")

    class Settings(BaseSettings):
        model_config = SettingsConfig(source_file=tmp_path / "present", strict=False)

        @classmethod
        def customise_sources(cls, settings_cls, init_source, env_source, file_source):
            return ({subject}(settings_cls),)

    settings = Settings()
    assert settings.model_dump() == {{"present": True}}
    assert settings.sources_read() == ["{subject}", "present"]
"""


def source_module(subject: str) -> str:
    return SOURCE_TEST.format(subject=subject) + SECOND_SOURCE_TEST.format(subject=subject)


def test_modules_each_over_their_own_source_do_not_overlap(tmp_path: Path) -> None:
    files = {
        "tests/test_source_json.py": source_module("JsonSource"),
        "tests/test_source_yaml.py": source_module("YamlSource"),
    }
    check("TA505", Valid(files=files), tmp_path)


def test_modules_not_named_for_their_sources_still_overlap(tmp_path: Path) -> None:
    files = {
        "tests/test_loading.py": source_module("JsonSource"),
        "tests/test_reading.py": source_module("YamlSource"),
    }
    check("TA505", Invalid(files=files, at=("tests/test_loading.py:1:1",)), tmp_path)


CASE_LOOKUPS = """\
import pytest


def test_lookup_ignores_case(vault, make_source):
    vault.add_secret("SqlServerUser", "SecretValue", enabled=True, tags=["db", "user"])
    source = make_source(vault, case_sensitive=False, prefix="app", timeout=5)
    assert len(source.env_vars) == 1
    assert source.env_vars["SqlServerUser"] == "SecretValue"
    assert source.env_vars["sqlserveruser"] == "SecretValue"


def test_lookup_keeps_case(vault, make_source):
    vault.add_secret("SqlServerUser", "SecretValue", enabled=True, tags=["db", "user"])
    source = make_source(vault, case_sensitive=True, prefix="app", timeout=5)
    assert len(source.env_vars) == 1
    assert source.env_vars["SqlServerUser"] == "SecretValue"
    with pytest.raises(KeyError):
        source.env_vars["sqlserveruser"]
"""


def test_a_success_and_a_failure_of_one_lookup_are_no_near_copies(tmp_path: Path) -> None:
    # one expects a value where the other expects KeyError: two outcomes, two behaviours
    check("TA504", Valid(files={"tests/test_lookup.py": CASE_LOOKUPS}), tmp_path)
