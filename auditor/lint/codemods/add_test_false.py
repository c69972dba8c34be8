"""Add ``__test__ = False`` to a class pytest would try (and fail) to collect."""

from __future__ import annotations

import libcst as cst
from libcst.codemod import CodemodContext, SkipFile

from auditor.lint.codemods._target import QualnameCodemod


class AddTestFalse(QualnameCodemod):
    DESCRIPTION = "Mark a helper class as not a test class with __test__ = False"

    def __init__(self, context: CodemodContext, *, cls: str) -> None:
        super().__init__(context)
        self.target = cls
        self.found = False

    def leave_ClassDef(
        self, original_node: cst.ClassDef, updated_node: cst.ClassDef
    ) -> cst.ClassDef:
        is_target = self.qualname == self.target
        super().leave_ClassDef(original_node, updated_node)
        if not is_target:
            return updated_node
        self.found = True
        block = _indented(updated_node.body)
        body = list(block.body)
        if any(_assigns_test(statement) for statement in body):
            raise SkipFile(f"{self.target} already sets __test__")
        position = 1 if body and _is_docstring(body[0]) else 0
        body.insert(position, cst.parse_statement("__test__ = False\n"))
        return updated_node.with_changes(body=block.with_changes(body=body))

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        if not self.found:
            raise SkipFile(f"no class {self.target}")
        return updated_node


def _indented(suite: cst.BaseSuite) -> cst.IndentedBlock:
    """The body of a class as an indented block: a one-line body (``class A(B): pass``)
    becomes its own line below the header, its comment with it."""
    if isinstance(suite, cst.IndentedBlock):
        return suite
    assert isinstance(suite, cst.SimpleStatementSuite)
    line = cst.SimpleStatementLine(body=suite.body, trailing_whitespace=suite.trailing_whitespace)
    return cst.IndentedBlock(body=[line])


def _assigns_test(statement: cst.BaseStatement) -> bool:
    if not isinstance(statement, cst.SimpleStatementLine):
        return False
    return any(
        isinstance(small, cst.Assign)
        and any(
            isinstance(t.target, cst.Name) and t.target.value == "__test__" for t in small.targets
        )
        for small in statement.body
    )


def _is_docstring(statement: cst.BaseStatement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )
