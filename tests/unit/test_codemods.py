"""The fix codemods, one by one, as LibCST tests its own: code before, code after, and
the target named by its qualified name."""

# test-auditor: noqa: TA502 -- one method per case is LibCST's CodemodTest style, on purpose

from __future__ import annotations

from libcst.codemod import CodemodTest

from auditor.lint.codemods.add_test_false import AddTestFalse
from auditor.lint.codemods.use_monkeypatch_env import UseMonkeypatchEnv
from auditor.lint.codemods.yield_instead_of_return import YieldInsteadOfReturn


class TestAddTestFalse(CodemodTest):
    TRANSFORM = AddTestFalse

    def test_first_statement_of_the_class(self) -> None:
        before = """
            class TestData:
                value = 1

            class TestOther:
                value = 2
        """
        after = """
            class TestData:
                __test__ = False
                value = 1

            class TestOther:
                value = 2
        """
        self.assertCodemod(before, after, cls="TestData")

    def test_after_the_docstring(self) -> None:
        before = '''
            class TestData:
                """Rows for the tests."""

                def rows(self):
                    return []
        '''
        after = '''
            class TestData:
                """Rows for the tests."""
                __test__ = False

                def rows(self):
                    return []
        '''
        self.assertCodemod(before, after, cls="TestData")

    def test_a_nested_class_by_its_qualified_name(self) -> None:
        before = """
            class TestHelper:
                pass

            class Outer:
                class TestHelper:
                    pass

            def factory():
                class TestHelper:
                    pass
                return TestHelper
        """
        after = """
            class TestHelper:
                pass

            class Outer:
                class TestHelper:
                    __test__ = False
                    pass

            def factory():
                class TestHelper:
                    pass
                return TestHelper
        """
        self.assertCodemod(before, after, cls="Outer.TestHelper")

    def test_a_one_line_class_body(self) -> None:
        before = """
            class TestThing(Base): pass

            class TestOther(Base): x = 1; y = 2  # two on one line
        """
        after = """
            class TestThing(Base):
                __test__ = False
                pass

            class TestOther(Base): x = 1; y = 2  # two on one line
        """
        self.assertCodemod(before, after, cls="TestThing")
        after = """
            class TestThing(Base): pass

            class TestOther(Base):
                __test__ = False
                x = 1; y = 2  # two on one line
        """
        self.assertCodemod(before, after, cls="TestOther")

    def test_a_one_line_docstring_body(self) -> None:
        before = """
            class TestThing(Base): "Rows for the tests."
        """
        after = """
            class TestThing(Base):
                "Rows for the tests."
                __test__ = False
        """
        self.assertCodemod(before, after, cls="TestThing")

    def test_a_one_line_class_that_already_sets_test_is_left_alone(self) -> None:
        code = """
            class TestThing(Base): __test__ = True
        """
        self.assertCodemod(code, code, cls="TestThing", expected_skip=True)

    def test_a_class_that_already_sets_test_is_left_alone(self) -> None:
        code = """
            class TestData:
                __test__ = True
                value = 1
        """
        self.assertCodemod(code, code, cls="TestData", expected_skip=True)

    def test_a_second_run_changes_nothing(self) -> None:
        code = """
            class TestData:
                __test__ = False
                value = 1
        """
        self.assertCodemod(code, code, cls="TestData", expected_skip=True)

    def test_a_missing_class_skips_the_file(self) -> None:
        code = """
            class TestData:
                value = 1
        """
        self.assertCodemod(code, code, cls="Outer.TestData", expected_skip=True)


class TestUseMonkeypatchEnv(CodemodTest):
    TRANSFORM = UseMonkeypatchEnv

    def test_set_and_delete(self) -> None:
        before = """
            import os

            def test_env(tmp_path):
                os.environ["MODE"] = "test"
                del os.environ["HOME"]
                os.environ.pop("USER")
                os.environ.pop("LANG", None)
                assert os.environ["MODE"] == "test"
        """
        after = """
            import os

            def test_env(tmp_path, monkeypatch):
                monkeypatch.setenv("MODE", "test")
                monkeypatch.delenv("HOME", raising=False)
                monkeypatch.delenv("USER", raising=False)
                monkeypatch.delenv("LANG", raising=False)
                assert os.environ["MODE"] == "test"
        """
        self.assertCodemod(before, after, function="test_env")

    def test_aliases_of_os_and_environ(self) -> None:
        before = """
            import os as system
            from os import environ as env

            def test_env():
                system.environ["A"] = "1"
                env["B"] = "2"
        """
        after = """
            import os as system
            from os import environ as env

            def test_env(monkeypatch):
                monkeypatch.setenv("A", "1")
                monkeypatch.setenv("B", "2")
        """
        self.assertCodemod(before, after, function="test_env")

    def test_import_os_path_binds_os(self) -> None:
        before = """
            import os.path
            import os.path as osp

            def test_env():
                os.environ["A"] = "1"
                os.environ.pop("B", None)
                osp.environ["C"] = "3"
        """
        after = """
            import os.path
            import os.path as osp

            def test_env(monkeypatch):
                monkeypatch.setenv("A", "1")
                monkeypatch.delenv("B", raising=False)
                osp.environ["C"] = "3"
        """
        self.assertCodemod(before, after, function="test_env")

    def test_before_parameters_with_a_default(self) -> None:
        before = """
            import os

            def test_env(x=1):
                os.environ["A"] = "1"

            def test_other(tmp_path, x=1, *, y=2):
                os.environ["A"] = "1"
        """
        after = """
            import os

            def test_env(monkeypatch, x=1):
                monkeypatch.setenv("A", "1")

            def test_other(tmp_path, x=1, *, y=2):
                os.environ["A"] = "1"
        """
        self.assertCodemod(before, after, function="test_env")
        after = """
            import os

            def test_env(x=1):
                os.environ["A"] = "1"

            def test_other(tmp_path, monkeypatch, x=1, *, y=2):
                monkeypatch.setenv("A", "1")
        """
        self.assertCodemod(before, after, function="test_other")

    def test_before_parameters_with_a_default_one_per_line(self) -> None:
        before = """
            import os

            def test_env(
                x=1,
                y=2,
            ):
                os.environ["A"] = "1"
        """
        after = """
            import os

            def test_env(
                monkeypatch,
                x=1,
                y=2,
            ):
                monkeypatch.setenv("A", "1")
        """
        self.assertCodemod(before, after, function="test_env")

    def test_keyword_only_after_a_positional_only_default(self) -> None:
        before = """
            import os

            def test_env(x=1, /):
                os.environ["A"] = "1"
        """
        after = """
            import os

            def test_env(x=1, /, *, monkeypatch):
                monkeypatch.setenv("A", "1")
        """
        self.assertCodemod(before, after, function="test_env")

    def test_a_monkeypatch_parameter_that_is_no_fixture_request_skips_the_file(self) -> None:
        for params in ("monkeypatch=None", "monkeypatch, /", "*monkeypatch", "**monkeypatch"):
            code = f"""
                import os

                def test_env({params}):
                    os.environ["A"] = "1"
            """
            self.assertCodemod(code, code, function="test_env", expected_skip=True)

    def test_a_method_and_an_existing_monkeypatch_parameter(self) -> None:
        before = """
            import os

            class TestEnv:
                def test_env(self, monkeypatch):
                    os.environ["A"] = "1"

                def test_other(self):
                    os.environ["B"] = "2"
        """
        after = """
            import os

            class TestEnv:
                def test_env(self, monkeypatch):
                    monkeypatch.setenv("A", "1")

                def test_other(self):
                    os.environ["B"] = "2"
        """
        self.assertCodemod(before, after, function="TestEnv.test_env")

    def test_parameters_one_per_line_stay_so(self) -> None:
        before = """
            import os

            def test_env(
                tmp_path,
                capsys,
            ):
                os.environ["A"] = "1"
        """
        after = """
            import os

            def test_env(
                tmp_path,
                capsys,
                monkeypatch,
            ):
                monkeypatch.setenv("A", "1")
        """
        self.assertCodemod(before, after, function="test_env")

    def test_writes_in_nested_scopes_and_popped_values_are_left_alone(self) -> None:
        code = """
            import os

            def test_env():
                def helper():
                    os.environ["A"] = "1"
                setter = lambda: os.environ.pop("B")
                value = os.environ.pop("C")
                os.environ.update(D="4")
                assert os.environ.get("A") is None
        """
        self.assertCodemod(code, code, function="test_env")

    def test_a_second_run_changes_nothing(self) -> None:
        code = """
            import os

            def test_env(monkeypatch):
                monkeypatch.setenv("A", "1")
        """
        self.assertCodemod(code, code, function="test_env")

    def test_a_missing_function_skips_the_file(self) -> None:
        code = """
            import os

            def test_env():
                os.environ["A"] = "1"
        """
        self.assertCodemod(code, code, function="test_other", expected_skip=True)


class TestYieldInsteadOfReturn(CodemodTest):
    TRANSFORM = YieldInsteadOfReturn

    def test_return_followed_by_teardown(self) -> None:
        before = """
            import pytest

            @pytest.fixture
            def connection():
                conn = connect()
                return conn
                conn.close()
        """
        after = """
            import pytest

            @pytest.fixture
            def connection():
                conn = connect()
                yield conn
                conn.close()
        """
        self.assertCodemod(before, after, function="connection")

    def test_return_in_a_with_block(self) -> None:
        before = """
            def session(engine):
                with engine.begin() as conn:
                    return conn
                    conn.rollback()
        """
        after = """
            def session(engine):
                with engine.begin() as conn:
                    yield conn
                    conn.rollback()
        """
        self.assertCodemod(before, after, function="session")

    def test_a_method_a_bare_return_and_a_nested_def(self) -> None:
        before = """
            class TestA:
                def resource(self):
                    def inner():
                        return 1
                    return
                    cleanup(inner)
        """
        after = """
            class TestA:
                def resource(self):
                    def inner():
                        return 1
                    yield
                    cleanup(inner)
        """
        self.assertCodemod(before, after, function="TestA.resource")

    def test_statements_after_it_on_the_same_line(self) -> None:
        before = """
            def resource():
                value = make(); return value; value.close()
        """
        after = """
            def resource():
                value = make(); yield value; value.close()
        """
        self.assertCodemod(before, after, function="resource")

    def test_a_return_nothing_follows_is_left_alone(self) -> None:
        code = """
            def resource():
                value = make()
                return value
        """
        self.assertCodemod(code, code, function="resource", expected_skip=True)

    def test_a_conditional_return_is_left_alone(self) -> None:
        code = """
            def resource(flag):
                if flag:
                    return 1
                    cleanup()
                cleanup()
        """
        self.assertCodemod(code, code, function="resource", expected_skip=True)

    def test_two_returns_are_left_alone(self) -> None:
        code = """
            def resource(flag):
                if flag:
                    return 1
                return 2
                cleanup()
        """
        self.assertCodemod(code, code, function="resource", expected_skip=True)

    def test_a_second_run_changes_nothing(self) -> None:
        code = """
            def resource():
                value = make()
                yield value
                value.close()
        """
        self.assertCodemod(code, code, function="resource", expected_skip=True)

    def test_a_missing_function_skips_the_file(self) -> None:
        code = """
            def resource():
                return 1
                cleanup()
        """
        self.assertCodemod(code, code, function="TestA.resource", expected_skip=True)
