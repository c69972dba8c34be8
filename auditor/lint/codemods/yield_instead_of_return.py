"""Turn a fixture's ``return value`` into ``yield value`` so that the code written after
it runs as teardown. Applies only where that is unconditional: the function has no
``yield`` yet, exactly one ``return`` (outside nested defs), and that ``return`` sits in
the function's body or in ``with`` blocks there, followed by more statements."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst
from libcst.codemod import CodemodContext, SkipFile

from auditor.lint.codemods._target import LocalScope, QualnameCodemod


class YieldInsteadOfReturn(QualnameCodemod):
    DESCRIPTION = "Yield a fixture's value instead of returning it, so its teardown runs"

    def __init__(self, context: CodemodContext, *, function: str) -> None:
        super().__init__(context)
        self.target = function
        self.found = False

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        is_target = self.qualname == self.target
        super().leave_FunctionDef(original_node, updated_node)
        if not is_target:
            return updated_node
        self.found = True
        finder = _Finder()
        updated_node.body.visit(finder)
        if finder.yields:
            raise SkipFile(f"{self.target} already yields")
        if len(finder.returns) != 1:
            raise SkipFile(f"{self.target} has {len(finder.returns)} return statements")
        body = _rewrite_block(updated_node.body, finder.returns[0])
        if body is None:
            raise SkipFile(f"the return in {self.target} is conditional or ends its block")
        return updated_node.with_changes(body=body)

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        if not self.found:
            raise SkipFile(f"no function {self.target}")
        return updated_node


class _Finder(LocalScope, cst.CSTVisitor):
    """`return` statements and `yield`s of one function, nested scopes excluded."""

    def __init__(self) -> None:
        self.returns: list[cst.Return] = []
        self.yields = False

    def visit_Return(self, node: cst.Return) -> None:
        self.returns.append(node)

    def visit_Yield(self, node: cst.Yield) -> None:
        self.yields = True


def _rewrite_block(block: cst.BaseSuite, target: cst.Return) -> cst.BaseSuite | None:
    """`block` with `target` (in it, or in a `with` statement of it) made a yield, when
    statements follow it; None otherwise."""
    if not isinstance(block, cst.IndentedBlock):
        return None
    statements = list(block.body)
    for index, statement in enumerate(statements):
        if isinstance(statement, cst.SimpleStatementLine):
            rewritten = _rewrite_line(statement, target, index < len(statements) - 1)
            if rewritten is not None:
                statements[index] = rewritten
                return block.with_changes(body=statements)
        elif isinstance(statement, cst.With):
            inner = _rewrite_block(statement.body, target)
            if inner is not None:
                statements[index] = statement.with_changes(body=inner)
                return block.with_changes(body=statements)
    return None


def _rewrite_line(
    line: cst.SimpleStatementLine, target: cst.Return, followed: bool
) -> cst.SimpleStatementLine | None:
    small: Sequence[cst.BaseSmallStatement] = line.body
    for position, statement in enumerate(small):
        if statement is not target:
            continue
        if not followed and position == len(small) - 1:
            return None
        value = target.value
        replacement = cst.Expr(
            cst.Yield(value=value, whitespace_after_yield=cst.SimpleWhitespace(" "))
            if value is not None
            else cst.Yield()
        )
        changed = [*small[:position], replacement, *small[position + 1 :]]
        return line.with_changes(body=changed)
    return None
