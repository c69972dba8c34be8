"""The project's own code, read from source, for the timing rules: the module-level def
or assignment behind a name a test module imports from a module of the project."""

from __future__ import annotations

import ast

from auditor.api import FileView, SuiteView

Definition = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Assign


def project_module(suite: SuiteView, module: str) -> FileView | None:
    """The file of a module of the project (under the rootdir or its ``src/``), never an
    installed package."""
    if not module or not all(part.isidentifier() for part in module.split(".")):
        return None
    relative = module.replace(".", "/")
    for base in ("", "src/"):
        for candidate in (f"{base}{relative}.py", f"{base}{relative}/__init__.py"):
            if (suite.rootdir / candidate).is_file():
                return suite.file(candidate)
    return None


def project_function(suite: SuiteView, qualified: str) -> tuple[FileView, Definition] | None:
    """The last module-level statement binding the name (``pkg.mod.name``) in its
    project module: a def, a class or a plain assignment."""
    module_name, _, name = qualified.rpartition(".")
    module = project_module(suite, module_name)
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
