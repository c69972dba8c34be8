"""The project's own code, read from source, for the timing rules: the module-level def
or assignment behind a name a test module imports from a module of the project."""

from __future__ import annotations

import ast

from auditor.api import FileView, SuiteView

Definition = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Assign


def project_function(suite: SuiteView, qualified: str) -> tuple[FileView, Definition] | None:
    """The last module-level statement binding the name (``pkg.mod.name``) in its
    project module: a def, a class or a plain assignment."""
    module_name, _, name = qualified.rpartition(".")
    module = suite.project_module(module_name)
    if module is None:
        return None
    found: Definition | None = None
    for node in module.tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if node.name == name:
                found = node
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            found = node
    return (module, found) if found is not None else None
