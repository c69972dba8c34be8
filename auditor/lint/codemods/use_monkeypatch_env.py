"""Rewrite a test's ``os.environ`` writes into ``monkeypatch.setenv`` /
``monkeypatch.delenv`` and give it a ``monkeypatch`` parameter.

``os.environ[k] = v`` becomes ``monkeypatch.setenv(k, v)``; ``del os.environ[k]`` and
``os.environ.pop(k[, d])`` used as a statement become ``monkeypatch.delenv(k,
raising=False)``. Writes in nested defs, lambdas and classes are left alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst
from libcst.codemod import CodemodContext, SkipFile

from auditor.lint.codemods._target import LocalScope, QualnameCodemod

PARAM = "monkeypatch"


class UseMonkeypatchEnv(QualnameCodemod):
    DESCRIPTION = "Use monkeypatch.setenv/delenv instead of writing os.environ in a test"

    def __init__(self, context: CodemodContext, *, function: str) -> None:
        super().__init__(context)
        self.target = function
        self.found = False
        self.os_names: set[str] = set()
        self.environ_names: set[str] = set()

    def visit_Module(self, node: cst.Module) -> None:
        node.visit(_Imports(self.os_names, self.environ_names))

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        is_target = self.qualname == self.target
        super().leave_FunctionDef(original_node, updated_node)
        if not is_target:
            return updated_node
        self.found = True
        rewriter = _Rewriter(self.os_names, self.environ_names)
        body = updated_node.body.visit(rewriter)
        if not rewriter.changed or not isinstance(body, cst.BaseSuite):
            return updated_node
        params = updated_node.params
        if not any(p.name.value == PARAM for p in _all_params(params)):
            params = params.with_changes(params=_appended(updated_node, params.params))
        return updated_node.with_changes(body=body, params=params)

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        if not self.found:
            raise SkipFile(f"no function {self.target}")
        return updated_node


def _appended(function: cst.FunctionDef, params: Sequence[cst.Param]) -> list[cst.Param]:
    """`params` and a ``monkeypatch`` parameter after them, laid out like the others
    (one per line when they are, keeping a trailing comma)."""
    new = cst.Param(cst.Name(PARAM))
    if not params:
        return [new]
    *rest, last = params
    if not isinstance(last.comma, cst.Comma):
        return [*params, new]
    separator = rest[-1].comma if rest and isinstance(rest[-1].comma, cst.Comma) else None
    if separator is None:
        before = function.whitespace_before_params
        multiline = isinstance(before, cst.ParenthesizedWhitespace)
        separator = cst.Comma(whitespace_after=before if multiline else cst.SimpleWhitespace(" "))
    return [*rest, last.with_changes(comma=separator), new.with_changes(comma=last.comma)]


def _all_params(params: cst.Parameters) -> list[cst.Param]:
    found = [*params.posonly_params, *params.params, *params.kwonly_params]
    if isinstance(params.star_arg, cst.Param):
        found.append(params.star_arg)
    if params.star_kwarg is not None:
        found.append(params.star_kwarg)
    return found


class _Imports(cst.CSTVisitor):
    """Names bound to the ``os`` module and to ``os.environ`` anywhere in the module."""

    def __init__(self, os_names: set[str], environ_names: set[str]) -> None:
        self.os_names = os_names
        self.environ_names = environ_names

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            if isinstance(alias.name, cst.Name) and alias.name.value == "os":
                self.os_names.add(_bound(alias) or "os")

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = node.module
        if node.relative or not isinstance(module, cst.Name) or module.value != "os":
            return
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            if isinstance(alias.name, cst.Name) and alias.name.value == "environ":
                self.environ_names.add(_bound(alias) or "environ")


def _bound(alias: cst.ImportAlias) -> str | None:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return None


class _Rewriter(LocalScope, cst.CSTTransformer):
    def __init__(self, os_names: set[str], environ_names: set[str]) -> None:
        self.os_names = os_names
        self.environ_names = environ_names
        self.changed = False

    def _is_environ(self, node: cst.BaseExpression) -> bool:
        if isinstance(node, cst.Name):
            return node.value in self.environ_names
        return (
            isinstance(node, cst.Attribute)
            and node.attr.value == "environ"
            and isinstance(node.value, cst.Name)
            and node.value.value in self.os_names
        )

    def _key(self, node: cst.BaseExpression) -> cst.BaseExpression | None:
        if not isinstance(node, cst.Subscript) or not self._is_environ(node.value):
            return None
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return None
        return node.slice[0].slice.value

    def _call(self, method: str, args: list[cst.Arg]) -> cst.Expr:
        self.changed = True
        func = cst.Attribute(cst.Name(PARAM), cst.Name(method))
        return cst.Expr(cst.Call(func=func, args=args))

    def _delenv(self, key: cst.BaseExpression) -> cst.Expr:
        raising = cst.Arg(
            cst.Name("False"),
            keyword=cst.Name("raising"),
            equal=cst.AssignEqual(
                whitespace_before=cst.SimpleWhitespace(""),
                whitespace_after=cst.SimpleWhitespace(""),
            ),
        )
        return self._call("delenv", [cst.Arg(key), raising])

    def leave_Assign(
        self, original_node: cst.Assign, updated_node: cst.Assign
    ) -> cst.BaseSmallStatement:
        if len(updated_node.targets) != 1:
            return updated_node
        key = self._key(updated_node.targets[0].target)
        if key is None:
            return updated_node
        return self._call("setenv", [cst.Arg(key), cst.Arg(updated_node.value)])

    def leave_Del(self, original_node: cst.Del, updated_node: cst.Del) -> cst.BaseSmallStatement:
        key = self._key(updated_node.target)
        return updated_node if key is None else self._delenv(key)

    def leave_Expr(self, original_node: cst.Expr, updated_node: cst.Expr) -> cst.Expr:
        call = updated_node.value
        if (
            not isinstance(call, cst.Call)
            or not isinstance(call.func, cst.Attribute)
            or call.func.attr.value != "pop"
            or not self._is_environ(call.func.value)
            or not 1 <= len(call.args) <= 2
            or any(a.keyword is not None or a.star for a in call.args)
        ):
            return updated_node
        return self._delenv(call.args[0].value)
