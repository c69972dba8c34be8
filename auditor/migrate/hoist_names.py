"""What a fixture's code reads from its module, and what binds each module-level name
(read with ``ast`` and ``symtable`` from the file's text; nothing is imported), for
:mod:`auditor.migrate.hoist`."""

from __future__ import annotations

import ast
import io
import symtable
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass


def text_of(data: bytes) -> str:
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding)


def function_named(module: ast.Module, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    found = [
        node
        for node in module.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name
    ]
    return found[0] if len(found) == 1 else None


def code_digest(node: ast.AST) -> str:
    """A function's code (decorators included), without positions."""
    return ast.dump(node, include_attributes=False)


def reads_of(text: str, node: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """The names the function's code reads from its module: its body's globals (nested
    scopes included), its decorators, defaults and annotations."""
    found: set[str] = set()
    table = symtable.symtable(text, "<module>", "exec")
    scopes = [
        child
        for child in table.get_children()
        if child.get_name() == node.name and child.get_lineno() == node.lineno
    ]
    while scopes:
        scope = scopes.pop()
        for symbol in scope.get_symbols():
            if symbol.is_referenced() and symbol.is_global():
                found.add(symbol.get_name())
        scopes.extend(scope.get_children())
    outside: list[ast.AST] = [*node.decorator_list, *node.args.defaults]
    outside += [d for d in node.args.kw_defaults if d is not None]
    arguments = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
    outside += [a.annotation for a in arguments if a.annotation is not None]
    if node.returns is not None:
        outside.append(node.returns)
    for part in outside:
        found |= {n.id for n in ast.walk(part) if isinstance(n, ast.Name)}
    return found


@dataclass(frozen=True, slots=True)
class Binding:
    line: int
    statement: str
    """The import statement that binds the name (``""``: not an import)."""
    conditional: bool = False


def bindings(module: ast.Module) -> dict[str, list[Binding]]:
    """Module-level name -> the statements that bind it."""
    found: dict[str, list[Binding]] = {}

    def add(name: str, binding: Binding) -> None:
        found.setdefault(name, []).append(binding)

    def visit(statements: Sequence[ast.stmt], conditional: bool) -> None:
        for node in statements:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    name = alias.asname or alias.name.split(".")[0]
                    text = f"import {alias.name}" + (f" as {alias.asname}" if alias.asname else "")
                    add(name, Binding(node.lineno, text, conditional))
            elif isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if alias.name == "*":
                        add("*", Binding(node.lineno, "", conditional))
                        continue
                    source = "." * node.level + (node.module or "")
                    text = f"from {source} import {alias.name}" + (
                        f" as {alias.asname}" if alias.asname else ""
                    )
                    add(alias.asname or alias.name, Binding(node.lineno, text, conditional))
            elif isinstance(node, ast.If | ast.Try | ast.With | ast.For | ast.While):
                for field in ("body", "orelse", "finalbody"):
                    visit(getattr(node, field, []), True)
                for handler in getattr(node, "handlers", []):
                    visit(handler.body, True)
                if isinstance(node, ast.With | ast.For):
                    for target in _targets(node):
                        add(target, Binding(node.lineno, "", True))
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                add(node.name, Binding(node.lineno, "", conditional))
            else:
                for target in _targets(node):
                    add(target, Binding(node.lineno, "", conditional))

    visit(module.body, False)
    return found


def _targets(node: ast.AST) -> set[str]:
    targets: list[ast.AST] = []
    if isinstance(node, ast.Assign):
        targets = list(node.targets)
    elif isinstance(node, ast.AnnAssign | ast.AugAssign | ast.For):
        targets = [node.target]
    elif isinstance(node, ast.With):
        targets = [i.optional_vars for i in node.items if i.optional_vars is not None]
    names = {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    names |= {
        n.target.id
        for n in ast.walk(node)
        if isinstance(n, ast.NamedExpr) and isinstance(n.target, ast.Name)
    }
    return names


def global_uses(text: str, name: str, line: int) -> list[int]:
    """Where code of the module other than the function at ``line`` reads the module's
    ``name`` (a parameter of that name is a fixture request, not a use)."""
    table = symtable.symtable(text, "<module>", "exec")
    found = []
    module_symbol = table.lookup(name)
    if module_symbol.is_referenced():
        found.append(1)
    scopes = [
        c for c in table.get_children() if not (c.get_name() == name and c.get_lineno() == line)
    ]
    while scopes:
        scope = scopes.pop()
        try:
            symbol = scope.lookup(name)
        except KeyError:
            symbol = None
        if symbol is not None and symbol.is_referenced() and symbol.is_global():
            found.append(scope.get_lineno())
        scopes.extend(scope.get_children())
    return sorted(found)
