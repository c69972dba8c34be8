"""Rewrite a test's ``os.environ`` writes into ``monkeypatch.setenv`` /
``monkeypatch.delenv`` and give it a ``monkeypatch`` parameter.

``os.environ[k] = v`` becomes ``monkeypatch.setenv(k, v)``; ``del os.environ[k]`` and
``os.environ.pop(k[, d])`` used as a statement become ``monkeypatch.delenv(k,
raising=False)``. Writes in nested defs, lambdas and classes are left alone.

``os.environ`` is recognised as TA301 recognises it (`auditor.parse.astnames`): through
``import os``, ``import os.path`` (which binds ``os`` too), ``import os as o`` and
``from os import environ [as e]``, imported anywhere in the module.

The ``monkeypatch`` parameter goes where pytest requests it as a fixture (a parameter
without a default, not positional-only): after the others, before the first one with a
default, or keyword-only when a positional-only parameter has a default. A
``monkeypatch`` parameter that is no fixture request (it has a default, is
positional-only, ``*monkeypatch``) skips the file.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence

import libcst as cst
from libcst.codemod import CodemodContext, SkipFile

from auditor.lint.codemods._target import LocalScope, QualnameCodemod
from auditor.parse.astnames import import_aliases
from auditor.parse.names import qualified

PARAM = "monkeypatch"


class UseMonkeypatchEnv(QualnameCodemod):
    DESCRIPTION = "Use monkeypatch.setenv/delenv instead of writing os.environ in a test"

    def __init__(self, context: CodemodContext, *, function: str) -> None:
        super().__init__(context)
        self.target = function
        self.found = False
        self.aliases: dict[str, str] = {}

    def visit_Module(self, node: cst.Module) -> None:
        try:
            tree = ast.parse(node.code)
        except (SyntaxError, ValueError) as exc:
            raise SkipFile(f"cannot read the imports: {exc}") from exc
        self.aliases = import_aliases(ast.walk(tree))

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        is_target = self.qualname == self.target
        super().leave_FunctionDef(original_node, updated_node)
        if not is_target:
            return updated_node
        self.found = True
        rewriter = _Rewriter(self.aliases)
        body = updated_node.body.visit(rewriter)
        if not rewriter.changed or not isinstance(body, cst.BaseSuite):
            return updated_node
        params = _with_monkeypatch(updated_node, self.target)
        return updated_node.with_changes(body=body, params=params)

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        if not self.found:
            raise SkipFile(f"no function {self.target}")
        return updated_node


def _with_monkeypatch(function: cst.FunctionDef, target: str) -> cst.Parameters:
    """The parameters of `function` with ``monkeypatch`` requested as a fixture."""
    params = function.params
    for param in _all_params(params):
        if param.name.value != PARAM:
            continue
        requested = any(param is p for p in (*params.params, *params.kwonly_params))
        if not requested or param.default is not None:
            raise SkipFile(f"{PARAM} is a parameter of {target} but no fixture request")
        return params
    if any(p.default is not None for p in params.posonly_params):
        if isinstance(params.star_arg, cst.MaybeSentinel):
            return params.with_changes(star_arg=cst.ParamStar(), kwonly_params=[_new()])
        return params.with_changes(kwonly_params=_appended(function, params.kwonly_params))
    defaulted = [i for i, p in enumerate(params.params) if p.default is not None]
    if defaulted:
        return params.with_changes(params=_inserted(function, params.params, defaulted[0]))
    return params.with_changes(params=_appended(function, params.params))


def _new() -> cst.Param:
    return cst.Param(cst.Name(PARAM))


def _separator(function: cst.FunctionDef, before: Sequence[cst.Param]) -> cst.Comma:
    """The comma to put between two parameters, as the others are laid out (one per
    line or not): the last comma among `before`, or one made after the opening paren."""
    for param in reversed(before):
        if isinstance(param.comma, cst.Comma):
            return param.comma
    opening = function.whitespace_before_params
    multiline = isinstance(opening, cst.ParenthesizedWhitespace)
    return cst.Comma(whitespace_after=opening if multiline else cst.SimpleWhitespace(" "))


def _appended(function: cst.FunctionDef, params: Sequence[cst.Param]) -> list[cst.Param]:
    """`params` and a ``monkeypatch`` parameter after them, laid out like the others
    (one per line when they are, keeping a trailing comma)."""
    new = _new()
    if not params:
        return [new]
    *rest, last = params
    if not isinstance(last.comma, cst.Comma):
        return [*params, new]
    separator = _separator(function, rest)
    return [*rest, last.with_changes(comma=separator), new.with_changes(comma=last.comma)]


def _inserted(
    function: cst.FunctionDef, params: Sequence[cst.Param], index: int
) -> list[cst.Param]:
    """`params` with a ``monkeypatch`` parameter before the one at `index`."""
    new = _new().with_changes(comma=_separator(function, params[:index]))
    return [*params[:index], new, *params[index:]]


def _all_params(params: cst.Parameters) -> list[cst.Param]:
    found = [*params.posonly_params, *params.params, *params.kwonly_params]
    if isinstance(params.star_arg, cst.Param):
        found.append(params.star_arg)
    if params.star_kwarg is not None:
        found.append(params.star_kwarg)
    return found


class _Rewriter(LocalScope, cst.CSTTransformer):
    def __init__(self, aliases: Mapping[str, str]) -> None:
        self.aliases = aliases
        self.changed = False

    def _is_environ(self, node: cst.BaseExpression) -> bool:
        return qualified(node, self.aliases) == "os.environ"

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
