"""Objects a class of the project keeps at class level, for TA302
module-attribute-assignment.

``class PaginationMixin: PARSER = FlaskParser()`` makes one parser for every instance of
every subclass. A test that builds an instance and sets an attribute *of that object*
(``blp = Blueprint(...)``; ``blp.PARSER.DEFAULT_STATUS = 400``) does not change its own
instance: it changes the one parser every later ``Blueprint`` uses. Classes are read
from the project's source (the module the test imports the class from, following
re-exports such as ``from .blueprint import Blueprint`` in a package's
``__init__.py``, and the bases of the class the same way); a class-level value counts
when it is an object built by a call, not a literal."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from auditor.api import FileView, walk_local

MAX_DEPTH = 6
"""How many re-exports and bases are followed."""


@dataclass(frozen=True)
class ClassLevel:
    """A class-level object of a project class."""

    owner: str
    """The class that defines it, as ``module.Class``."""
    path: str
    line: int


def _defined(cls: ast.ClassDef, attr: str) -> ast.Assign | None:
    for node in cls.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == attr for t in node.targets
        ):
            return node
    return None


def class_level(file: FileView, cls: ast.ClassDef, attr: str, depth: int = 0) -> ClassLevel | None:
    """Where `cls` or one of its project bases binds `attr` at class level to an object
    built by a call."""
    assigned = _defined(cls, attr)
    if assigned is not None:
        if not isinstance(assigned.value, ast.Call):
            return None
        module = file.path.removesuffix(".py").replace("/", ".")
        return ClassLevel(f"{module}.{cls.name}", file.path, assigned.lineno)
    if depth >= MAX_DEPTH:
        return None
    for base in cls.bases:
        found = file.class_of(base, depth + 1)
        if found is not None:
            inherited = class_level(found[0], found[1], attr, depth + 1)
            if inherited is not None:
                return inherited
    return None


def _constructed(function: ast.AST, name: str) -> ast.Call | None:
    """The constructor call a function binds `name` to, when it binds it once."""
    calls = [
        node.value
        for node in walk_local(function)
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
    ]
    return calls[0] if len(calls) == 1 and isinstance(calls[0], ast.Call) else None


def shared_through_instance(
    target: ast.AST, file: FileView, function: ast.AST | None
) -> ClassLevel | None:
    """For ``local.SHARED.attr`` (`target` of an assignment) where the function builds
    ``local`` from a project class that keeps ``SHARED`` at class level: where it is."""
    if function is None or not isinstance(target, ast.Attribute):
        return None
    shared = target.value
    if not isinstance(shared, ast.Attribute) or not isinstance(shared.value, ast.Name):
        return None
    call = _constructed(function, shared.value.id)
    found = file.class_of(call.func) if call is not None else None
    return class_level(found[0], found[1], shared.attr) if found is not None else None
