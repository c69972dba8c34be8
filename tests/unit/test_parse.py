"""The libcst summary: every fixture spelling, marks, parametrize, classes, bindings."""

from __future__ import annotations

import contextlib
import textwrap
from pathlib import Path

from auditor.parse import ModuleSummary, ParseFailure, parse_bytes


def summarize(source: str) -> ModuleSummary:
    result = parse_bytes("test_x.py", textwrap.dedent(source).encode())
    assert isinstance(result, ModuleSummary)
    return result


def test_fixture_spellings_and_arguments():
    summary = summarize(
        """
        import pytest
        import pytest_asyncio
        from pytest import fixture as fx

        @pytest.fixture
        def plain(): ...

        @fx(scope="session", autouse=True)
        def aliased(tmp_path_factory):
            yield 1

        @pytest.fixture(name="renamed", params=[1, 2, 3])
        def _impl(request):
            return request.getfixturevalue("plain")

        @pytest.fixture(scope=lambda fixture_name, config: "session")
        def dynamic_scope(): ...

        @pytest_asyncio.fixture(scope="module")
        async def aio(): ...
        """
    )
    by_name = {f.name: f for f in summary.functions}
    assert by_name["plain"].fixture is not None
    assert by_name["plain"].fixture.scope == "function"
    aliased = by_name["aliased"].fixture
    assert aliased is not None
    assert aliased.scope == "session"
    assert aliased.autouse
    assert by_name["aliased"].is_generator
    impl = by_name["_impl"]
    assert impl.fixture is not None
    assert impl.fixture.name == "renamed"
    assert impl.fixture.params_count == 3
    assert impl.getfixturevalue == ("plain",)
    assert by_name["dynamic_scope"].fixture is not None
    assert by_name["dynamic_scope"].fixture.scope_dynamic
    assert by_name["aio"].fixture is not None
    assert by_name["aio"].fixture.kind == "pytest_asyncio"
    assert by_name["aio"].is_async


def test_marks_parametrize_and_mock_patch():
    summary = summarize(
        """
        import pytest
        from unittest import mock

        slow = pytest.mark.slow
        pytestmark = [pytest.mark.usefixtures("db"), slow]

        @pytest.mark.parametrize("a, b", [(1, 2), (3, 4)])
        @pytest.mark.parametrize(("db",), [(1,)], indirect=True)
        @mock.patch("os.getcwd")
        @slow
        def test_it(getcwd, a, b, db, default=1, *, kw): ...
        """
    )
    assert [m.name for m in summary.marks] == ["usefixtures", "slow"]
    assert summary.marks[0].args == ("db",)
    test = summary.functions[0]
    assert [p.argnames for p in test.parametrize] == [("a", "b"), ("db",)]
    assert test.parametrize[0].cases == 2
    assert test.parametrize[1].indirect == ("db",)
    assert test.mock_patch_args == 1
    assert [m.name for m in test.marks] == ["slow"]
    assert [(p.name, p.has_default) for p in test.params][-2:] == [
        ("default", True),
        ("kw", False),
    ]


def test_classes_bindings_and_module_settings():
    summary = summarize(
        """
        import unittest
        from .helpers import thing as other
        from pkg.fixtures import *

        class TestA(Base):
            __test__ = False
            def __init__(self): ...
            class TestNested:
                def test_n(self): ...

        class Case(unittest.TestCase):
            def test_x(self): ...

        if True:
            def test_conditional(): ...

        collect_ignore = ["setup.py"]
        collect_ignore.append("build.py")
        pytest_plugins = ("a.plugin",)
        """
    )
    first, case = summary.classes
    assert first.test_attr is False
    assert first.has_init
    assert first.classes[0].name == "TestNested"
    assert case.bases == ("unittest.TestCase",)
    assert [f.name for f in summary.functions] == ["test_conditional"]
    kinds = [(b.name, b.kind) for b in summary.bindings]
    assert ("other", "import") in kinds
    assert ("*", "star") in kinds
    relative = next(b for b in summary.bindings if b.name == "other")
    assert relative.level == 1
    assert relative.module == "helpers"
    assert relative.target == "thing"
    assert summary.collect_ignore == ("setup.py", "build.py")
    assert summary.pytest_plugins == ("a.plugin",)


def test_lines_point_at_the_def_even_with_decorators_and_strings():
    summary = summarize(
        '''
        import pytest

        def test_a(pytester):
            pytester.makepyfile("""
                def test_b():
                    pass
            """)

        @pytest.mark.slow
        def test_b():
            pass
        '''
    )
    assert [(f.name, f.line) for f in summary.functions] == [
        ("test_a", 4),
        ("test_b", 11),
    ]


def test_dynamic_fixtures_are_reported_not_guessed():
    summary = summarize(
        """
        import pytest
        for name in ("a", "b"):
            globals()[name] = pytest.fixture(lambda: 1)
        made = pytest.fixture(scope="session")(lambda: 2)
        """
    )
    assert len(summary.dynamic_fixtures) == 2


def test_fixtures_registered_by_calling_the_decorator_on_a_def():
    summary = summarize(
        """
        import pytest
        def _dburl(request):
            return request.param
        dburl = pytest.fixture(params=["a", "b"])(_dburl)
        plain = pytest.fixture(_dburl)
        other = pytest.fixture(params=[1])(undefined)
        """
    )
    made = {f.name: f for f in summary.functions if f.fixture is not None}
    assert set(made) == {"dburl", "plain"}
    spec = made["dburl"].fixture
    assert spec is not None
    assert spec.params_count == 2
    assert [p.name for p in made["plain"].params] == ["request"]
    assert len(summary.dynamic_fixtures) == 3


def test_bad_bytes_become_failures():
    binary = parse_bytes("test_bin.py", b"\x00\x01\x02 def")
    assert isinstance(binary, ParseFailure)
    assert binary.reason == "binary-file"
    syntax = parse_bytes("test_bad.py", b"def test_x(:\n    pass\n")
    assert isinstance(syntax, ParseFailure)
    assert syntax.reason == "syntax-error"
    assert syntax.line == 1
    latin = parse_bytes(
        "test_latin.py",
        "# -*- coding: latin-1 -*-\nx = 'é'\ndef test_a(): ...\n".encode("latin-1"),
    )
    assert isinstance(latin, ModuleSummary)
    assert latin.functions[0].name == "test_a"
    undecodable = parse_bytes("test_u.py", "x = 'é'\n".encode("latin-1"))
    assert isinstance(undecodable, ParseFailure)
    assert undecodable.reason == "bad-encoding"


def test_static_if_tests_choose_the_branch_pytest_would_see():
    summary = summarize(
        """
        import sys
        from typing import TYPE_CHECKING
        import pytest

        if TYPE_CHECKING:
            def test_never(): ...
        if sys.version_info >= (3, 0):
            def test_py3(): ...
        else:
            def test_py2(): ...
        if sys.gettrace():
            @pytest.fixture(autouse=True)
            def restore_tracing(): ...
        if sys.platform.startswith("nonexistent-os"):
            def test_other_os(): ...
        elif not TYPE_CHECKING:
            def test_elif(): ...
        if some_flag():
            def test_maybe(): ...
        if sys.version_info[:2] < (3, 0):
            def test_ancient(): ...
        """
    )
    assert [f.name for f in summary.functions] == ["test_py3", "test_elif", "test_maybe"]


LONG_MODULE = '''\
"""A module long enough to be parsed a run of statements at a time."""
import pytest
from pytest import fixture as fx

pytestmark = [pytest.mark.slow]
slow = pytest.mark.slow
x = 1; y = 2

if True:
    import os

    def helper():
        return os.getcwd()


@fx(scope="module")
def shared():
    yield 1

# a comment between statements

@slow
@pytest.mark.parametrize("a, b", [(1, 2), (3, 4)])
def test_first(shared, a, b):
    for _ in range(10):
        assert a < b


class TestGroup:
    @pytest.fixture
    def inner(self):
        return 2

    def test_inner(self, inner):
        assert inner == 2

fixture = pytest.fixture

@fixture
def late_alias():
    return 3

collect_ignore = ["other.py"]

def test_last(late_alias, request):
    request.getfixturevalue("shared")
    assert late_alias == 3
'''


def test_a_long_module_parsed_in_runs_of_statements_gives_the_same_summary():
    """Large generated files are parsed a chunk at a time (a libcst tree of a 4 MB file
    takes 1.8 GB); every chunk size gives the summary of the whole-module parse."""
    import ast

    from auditor.parse.extract import statement_chunks
    from auditor.parse.extract import summarize as extract

    text = LONG_MODULE * 3
    whole = extract("test_x.py", text, ast.parse(text), chunk_lines=10**9)
    assert len(whole.functions) == 15  # helper, shared, test_first, late_alias, test_last
    for size in (1, 7, 40):
        assert len(statement_chunks(text, ast.parse(text), size).texts) > 1
        assert extract("test_x.py", text, ast.parse(text), chunk_lines=size) == whole, size


def test_parametrize_over_a_class_attribute_counts_its_cases():
    # marshmallow's TestErrorMessages: `error_messages = (...)` in the class body, read by
    # bare name in a method's decorator; a nested class's body does not see it
    summary = summarize(
        """
        import pytest

        CASES = [1, 2, 3]

        class TestErrors:
            error_messages = (("a", "A"), ("b", "B"))

            @pytest.mark.parametrize(("key", "message"), error_messages)
            def test_make_error(self, key, message): ...

            @pytest.mark.parametrize("case", CASES)
            def test_module_list(self, case): ...

            class TestNested:
                @pytest.mark.parametrize("key", error_messages)
                def test_nested(self, key): ...
        """
    )
    (klass,) = summary.classes
    cases = {f.name: f.parametrize[0].cases for f in klass.functions}
    assert cases == {"test_make_error": 2, "test_module_list": 3}
    assert klass.classes[0].functions[0].parametrize[0].cases is None


def test_summaries_parsed_without_node_checks_are_the_same_and_the_checks_come_back():
    """`trusted_parse` switches libcst's node checks off while a module is summarised:
    the summary is the one the checked parse gives, and the checks are on again after
    a summary and after a file libcst cannot parse (codemods build nodes and need them)."""
    import ast

    import libcst as cst
    import pytest

    from auditor.parse.extract import summarize as summarize_text
    from auditor.parse.extract import trusted_parse

    text = (Path(__file__).parent.parent / "samples" / "shop" / "tests").glob("**/*.py")
    sources = [path.read_text(encoding="utf-8") for path in sorted(text)]
    assert len(sources) >= 5
    checked = cst.CSTNode.__dict__["__post_init__"]
    for source in sources:
        trusted = summarize_text("t.py", source, ast.parse(source))
        with pytest.MonkeyPatch.context() as patch:  # the same hook, outside the switch
            patch.setattr("auditor.parse.extract.trusted_parse", contextlib.nullcontext)
            assert summarize_text("t.py", source, ast.parse(source)) == trusted
    assert cst.CSTNode.__dict__["__post_init__"] is checked

    def fail_inside() -> None:
        with trusted_parse():
            cst.Name("not a name")  # unchecked inside
            raise RuntimeError

    with pytest.raises(RuntimeError):
        fail_inside()
    assert cst.CSTNode.__dict__["__post_init__"] is checked
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not a name")
