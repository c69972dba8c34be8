"""A project module (the code under test, not the suite) -> a light `ModuleSummary`.

A def's `Reach` is read only when a test's calls get to it (`def_reach`): a library such
as sympy has some 18,000 defs in the 650 modules its tests' calls reach, of which a few
thousand are followed.

The tiers follow what tests call into the project's own modules (a repository class that
opens a sqlite file, a server class that binds a socket, a timer on ``perf_counter``), so
those modules need their defs, classes, imports and each def's `Reach`. Nothing else of a
full summary (marks, fixtures, shapes for clone detection) is needed, and the project can
be far larger than its suite: this reads them with the standard library's `ast` alone, at
about a tenth of libcst's cost. The record types are those of the suite's summaries, so
the cache stores and validates them the same way (`auditor.parse.cache`).
"""

from __future__ import annotations

import ast
import dataclasses
import gc
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from auditor.parse.astnames import dotted, import_aliases, qualify
from auditor.parse.lines import _flat
from auditor.parse.reach import reach_of
from auditor.parse.source import UnreadableSource, decode
from auditor.parse.summary import Binding, Class, Function, ModuleSummary, ParseFailure, Reach
from auditor.parse.trees import ParsedFile

_DEF = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True, slots=True)
class ProjectSource:
    """A parsed project module: its summary, whose defs have no `Reach` yet (a def's
    reach is read when a test's calls get to it, `def_reach`, from its own lines: the
    module's tree is not kept), and what that needs."""

    summary: ModuleSummary
    lines: tuple[str, ...]
    spans: Mapping[int, tuple[int, int]]
    """Line of each def -> its first line (decorators included) and its last."""
    aliases: Mapping[str, str]


def parse_project(
    relpath: str, data: bytes, parsed: ParsedFile | None = None
) -> ProjectSource | ParseFailure:
    """The defs, classes and bindings of one project module; never raises for bad input
    (a failure is a module the reach does not follow into). `parsed`: the same file's
    text and `ast` tree when another reader parsed it already in this run (the rules'
    `FileView`s share `auditor.parse.trees.ParsedFiles`), read instead of parsing
    `data` again. The garbage collector is paused meanwhile: the tree is all new
    objects, none of them garbage yet."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        if parsed is not None:
            return _summarize_project(relpath, parsed.text, parsed.tree)
        return _parse_project(relpath, data)
    finally:
        if enabled:
            gc.enable()


def _parse_project(relpath: str, data: bytes) -> ProjectSource | ParseFailure:
    try:
        text = decode(data).text
        tree = ast.parse(text)
    except UnreadableSource as exc:
        return ParseFailure(relpath, exc.reason, exc.message)
    except SyntaxError as error:
        return ParseFailure(relpath, "syntax-error", f"syntax error: {error.msg}")
    except (ValueError, RecursionError, MemoryError) as error:
        return ParseFailure(relpath, "syntax-error", f"Python cannot compile this file: {error}")
    return _summarize_project(relpath, text, tree)


def _summarize_project(relpath: str, text: str, tree: ast.Module) -> ProjectSource | ParseFailure:
    statements = list(_flat(tree.body))
    aliases = _module_aliases(statements)
    spans: dict[int, tuple[int, int]] = {}
    try:
        functions = tuple(_function(s, spans) for s in statements if isinstance(s, _DEF))
        classes = tuple(
            _class(s, spans, aliases) for s in statements if isinstance(s, ast.ClassDef)
        )
    except RecursionError:
        return ParseFailure(relpath, "too-deep", "nesting too deep to parse")
    summary = ModuleSummary(
        relpath,
        functions=functions,
        classes=classes,
        bindings=tuple(_bindings(statements)),
        lines=text.count("\n") + 1,
    )
    return ProjectSource(summary, tuple(text.splitlines(keepends=True)), spans, aliases)


def def_reach(source: ProjectSource, line: int) -> Reach | None:
    """What the def at `line` calls and names (not its asserts or loops: a project's
    asserts are not the test's), parsed again from its own lines (a method's inside an
    ``if 1:`` block, which keeps its indentation valid)."""
    span = source.spans.get(line)
    if span is None:
        return None
    first, last = span
    segment = "".join(source.lines[first - 1 : last])
    indented = segment[:1] in (" ", "\t")
    # blank lines before it keep its line numbers (cheaper than moving every node)
    code = "\n" * (first - 2) + "if 1:\n" + segment if indented else "\n" * (first - 1) + segment
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    body = tree.body[0].body if indented and isinstance(tree.body[0], ast.If) else tree.body
    node = next((n for n in body if isinstance(n, _DEF)), None)
    return None if node is None else reach_of(node, source.aliases, calls_only=True)


def summarize_project(relpath: str, data: bytes) -> ModuleSummary | ParseFailure:
    """`parse_project` with the reach of every def read at once."""
    source = parse_project(relpath, data)
    if isinstance(source, ParseFailure):
        return source
    reaches = {line: reach for line in source.spans if (reach := def_reach(source, line))}
    return with_reaches(source.summary, reaches)


def with_reaches(summary: ModuleSummary, reaches: Mapping[int, Reach]) -> ModuleSummary:
    """`summary` with the reach of the defs at these lines filled in (for the cache)."""

    def function(f: Function) -> Function:
        reach = reaches.get(f.line)
        return f if reach is None else dataclasses.replace(f, reach=reach)

    def klass(c: Class) -> Class:
        return dataclasses.replace(
            c,
            functions=tuple(function(f) for f in c.functions),
            classes=tuple(klass(k) for k in c.classes),
        )

    return dataclasses.replace(
        summary,
        functions=tuple(function(f) for f in summary.functions),
        classes=tuple(klass(c) for c in summary.classes),
    )


def _module_aliases(statements: list[ast.stmt]) -> dict[str, str]:
    """Absolute imports, plus ``name = dotted.name`` aliases (as the suite's summaries)."""
    aliases = import_aliases(statements)
    for statement in statements:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target, value = statement.targets[0], dotted(statement.value)
            if isinstance(target, ast.Name) and value is not None and "." in value:
                aliases[target.id] = qualify(value, aliases)
    return aliases


def _function(
    node: ast.FunctionDef | ast.AsyncFunctionDef, spans: dict[int, tuple[int, int]]
) -> Function:
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    spans[node.lineno] = (first, node.end_lineno or node.lineno)
    names = {_decorator_name(d) for d in node.decorator_list}
    return Function(
        node.name,
        node.lineno,
        node.col_offset,
        node.end_lineno or node.lineno,
        is_async=isinstance(node, ast.AsyncFunctionDef),
        is_staticmethod="staticmethod" in names,
        is_classmethod="classmethod" in names,
        decorated=bool(node.decorator_list),
    )


def _decorator_name(decorator: ast.expr) -> str:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return dotted(target) or ""


def _class(
    node: ast.ClassDef, spans: dict[int, tuple[int, int]], aliases: Mapping[str, str]
) -> Class:
    body = list(_flat(node.body))
    functions = tuple(_function(s, spans) for s in body if isinstance(s, _DEF))
    return Class(
        node.name,
        node.lineno,
        node.col_offset,
        bases=tuple(qualify(name, aliases) for b in node.bases if (name := dotted(b))),
        functions=functions,
        classes=tuple(_class(s, spans, aliases) for s in body if isinstance(s, ast.ClassDef)),
        has_init=any(f.name == "__init__" for f in functions),
        has_new=any(f.name == "__new__" for f in functions),
    )


def _bindings(statements: list[ast.stmt]) -> Iterator[Binding]:
    """Module-level names in source order, as the suite's summaries give them: defs,
    classes, ``from`` imports (relative ones with their level), star imports, aliases."""
    for statement in statements:
        line = statement.lineno
        if isinstance(statement, _DEF):
            yield Binding(statement.name, "function", line, target=statement.name)
        elif isinstance(statement, ast.ClassDef):
            yield Binding(statement.name, "class", line, target=statement.name)
        elif isinstance(statement, ast.Import):
            for alias in statement.names:
                bound = alias.asname or alias.name.partition(".")[0]
                module = alias.name if alias.asname else bound
                yield Binding(bound, "other", line, module)  # the module, for re-exports
        elif isinstance(statement, ast.Assign | ast.AnnAssign):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            value = dotted(statement.value) if statement.value is not None else None
            for target in targets:
                if isinstance(target, ast.Name):
                    if value is not None and "." not in value:
                        yield Binding(target.id, "alias", line, target=value)
                    else:
                        yield Binding(target.id, "other", line)
        elif isinstance(statement, ast.ImportFrom):
            module = statement.module or ""
            for alias in statement.names:
                if alias.name == "*":
                    yield Binding("*", "star", line, module, "", statement.level)
                else:
                    name = alias.asname or alias.name
                    yield Binding(name, "import", line, module, alias.name, statement.level)
