"""Tracking the qualified name ("Class.method") of the def or class being visited."""

from __future__ import annotations

import libcst as cst
from libcst.codemod import CodemodContext, VisitorBasedCodemodCommand


class QualnameCodemod(VisitorBasedCodemodCommand):
    """A codemod that knows the qualified name of the scope it is in: `self.qualname`
    is "A.B" inside class B nested in class A, "" at module level."""

    def __init__(self, context: CodemodContext) -> None:
        super().__init__(context)
        self.scopes: list[str] = []

    @property
    def qualname(self) -> str:
        return ".".join(self.scopes)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.scopes.append(node.name.value)

    def leave_ClassDef(
        self, original_node: cst.ClassDef, updated_node: cst.ClassDef
    ) -> cst.ClassDef:
        self.scopes.pop()
        return updated_node

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scopes.append(node.name.value)

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        self.scopes.pop()
        return updated_node


class LocalScope:
    """A visitor mixin that stays in the function being visited: nested defs, classes
    and lambdas are skipped (their statements belong to another scope)."""

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False
