"""The catalog's shape (refurb-style meta test): unique codes and names, code families
matching categories, module and class names derived from the rule name, documentation
headings in order with parseable bad/good examples, Fix safety iff fixable, Options for
every setting a rule reads, and enough examples per rule."""

from __future__ import annotations

import ast
import functools
import inspect
import re
import textwrap
from collections.abc import Iterable, Iterator
from fnmatch import fnmatch
from pathlib import Path

import pytest

from auditor.api import CATEGORIES, FileView, Rule, SuiteView
from auditor.lint.registry import builtin_rules

RULES = builtin_rules()
RULES_DIR = Path(__file__).parents[2] / "rules"
HEADINGS = ("## What it does", "## Why is this bad?", "## Example")
OPTIONAL_HEADINGS = ("## Fix safety", "## Options", "## References")
"""After the Example, in this order when present (ruff's order)."""
UNPARSEABLE_BAD_EXAMPLE = {"TA100"}  # the bad code of unreadable-file cannot parse
FAMILY = {"structure": "1", "fixtures": "2", "isolation": "3", "timing": "4", "duplicates": "5"}


def test_codes_and_names_are_unique() -> None:
    codes = [r.code for r in RULES]
    names = [r.name for r in RULES]
    assert len(set(codes)) == len(codes)
    assert len(set(names)) == len(names)
    assert len(RULES) >= 25


def module_name(rule_name: str) -> str:
    """A rule's module is its name in snake case, marked ``rule_`` in front or ``_rule``
    behind where pytest's default ``python_files`` (``test_*.py``, ``*_test.py``) would
    otherwise collect it as a test module (``test-without-assertion`` ->
    ``rule_test_without_assertion.py``, ``sleep-in-test`` -> ``sleep_in_test_rule.py``), so
    that `test-auditor check` on this project stays clean."""
    snake = rule_name.replace("-", "_")
    if snake.startswith("test_"):
        snake = f"rule_{snake}"
    if snake.endswith("_test"):
        snake = f"{snake}_rule"
    return snake


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_identity(rule: type[Rule]) -> None:
    assert re.fullmatch(r"TA\d{3}", rule.code)
    assert re.fullmatch(r"[a-z]+(-[a-z]+)+", rule.name)
    assert rule.category in CATEGORIES
    assert rule.code[2] == FAMILY[rule.category], "codes are grouped in hundreds by category"
    module = rule.__module__.rsplit(".", 1)[-1]
    assert module == module_name(rule.name)
    assert not fnmatch(f"{module}.py", "test_*.py")
    assert not fnmatch(f"{module}.py", "*_test.py")
    assert rule.__module__.split(".")[-2] == rule.category
    assert rule.__name__ == "".join(part.title() for part in rule.name.split("-"))


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_documentation(rule: type[Rule]) -> None:
    doc = rule.documentation()
    positions = [doc.find(heading) for heading in HEADINGS]
    assert all(p >= 0 for p in positions), f"missing one of {HEADINGS}"
    assert positions == sorted(positions), "headings out of order"
    example = doc[positions[-1] :].split("\n## ")[0]
    assert "Use instead:" in example
    bad, _, good = example.partition("Use instead:")
    bad_blocks = re.findall(r"```python\n(.*?)```", bad, re.S)
    good_blocks = re.findall(r"```python\n(.*?)```", good, re.S)
    assert bad_blocks, "an Example needs the bad code"
    assert good_blocks, "an Example needs the good code after 'Use instead:'"
    for block in good_blocks:
        ast.parse(block)
    for block in bad_blocks if rule.code not in UNPARSEABLE_BAD_EXAMPLE else ():
        ast.parse(block)
    assert ("## Fix safety" in doc) == rule.fixable(), "Fix safety section iff fixable"
    assert rule.summary(), "What it does needs a first sentence"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_examples(rule: type[Rule]) -> None:
    assert len(rule.VALID) >= 2
    assert len(rule.INVALID) >= 2
    assert all(case.at for case in rule.INVALID), "every INVALID example says where"


def test_rules_import_only_the_rule_api() -> None:
    """Rules see the suite through `auditor.api` alone (and their category's private
    helper modules), so the engine's internals can change under them."""
    rules_dir = Path(__file__).parents[2] / "rules"
    offenders = []
    for module in sorted(rules_dir.rglob("*.py")):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                name = node.module
                if name.startswith("auditor") and not (
                    name == "auditor.api" or name.startswith("auditor.rules.")
                ):
                    offenders.append(f"{module.relative_to(rules_dir)}: {name}")
    assert not offenders


def test_readme_lists_every_rule() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    missing = [r.code for r in RULES if f"| {r.code} | {r.name} |" not in readme]
    assert not missing


def section(doc: str, heading: str) -> str:
    """The text under `heading` up to the next heading ("" when absent)."""
    start = doc.find(heading + "\n")
    return "" if start < 0 else doc[start + len(heading) :].split("\n## ")[0]


OPTION = re.compile(r"^- `([A-Za-z0-9_.-]+)`", re.M)
"""An Options entry: ``- `name` (where, type; default): effect``."""


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_optional_sections(rule: type[Rule]) -> None:
    doc = rule.documentation()
    headings = (HEADINGS[-1], *OPTIONAL_HEADINGS)
    present = [p for p in (doc.find(h + "\n") for h in headings) if p >= 0]
    assert present == sorted(present), f"sections out of order: {headings}"
    if "## Options" in doc:
        assert OPTION.search(section(doc, "## Options")), "Options entries: - `name` (...)"
    if "## References" in doc:
        items = re.split(r"\n- ", "\n" + section(doc, "## References").strip())[1:]
        assert items, 'References entries: - where, "title": <https://...>'
        assert all("https://" in item for item in items), "every reference has a link"


# -- the settings a rule reads ---------------------------------------------------------
#
# Found in the source, not declared: the rule's module, and the helpers it imports from
# private modules of the catalog (`from ._common import x`), followed through the
# functions, classes and constants they use, are scanned for
#   - `<x>.config.auditor.<field>`: a `[tool.test-auditor]` setting (`field` in kebab case);
#   - `<x>.config.pytest.<field>`: a pytest ini option (also through a name bound to
#     `<x>.config.pytest` first);
#   - calls of the `SuiteView` / `FileView` methods that read those themselves (found the
#     same way in their source: `suite.duplicates` reads `duplicate-similarity`,
#     `suite.is_test_function_name` reads `python_functions`).
# A setting read only for something the rule throws away (TA501 reads the clone groups,
# whose near-clone threshold it never looks at) is listed in READS_WITHOUT_EFFECT, with why.

SECTIONS = {"auditor": "[tool.test-auditor]", "pytest": "pytest ini option"}
Setting = tuple[str, str]
"""(where it is set, its name as the user writes it)."""

READS_WITHOUT_EFFECT: dict[tuple[str, str], str] = {
    ("TA501", "duplicate-similarity"): "reports exact and renamed test groups, which the "
    "near-clone threshold does not change",
    ("TA502", "duplicate-similarity"): "reports parametrize groups (only literals differ), "
    "which the near-clone threshold does not change",
    ("TA503", "duplicate-similarity"): "reports fixture groups, exact or renamed copies, "
    "which the near-clone threshold does not change",
}


def _config_section(node: ast.AST) -> str | None:
    """The section `node` is: "auditor" for `<x>.config.auditor` (or `config.auditor`),
    "pytest" for `<x>.config.pytest`; None for anything else."""
    if not (isinstance(node, ast.Attribute) and node.attr in SECTIONS):
        return None
    owner = node.value
    if (isinstance(owner, ast.Attribute) and owner.attr == "config") or (
        isinstance(owner, ast.Name) and owner.id == "config"
    ):
        return node.attr
    return None


def config_reads(tree: ast.AST) -> set[Setting]:
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, bound = node.targets[0], _config_section(node.value)
            if isinstance(target, ast.Name) and bound is not None:
                aliases[target.id] = bound
    found: set[Setting] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            owner = _config_section(node.value)
            if owner is None and isinstance(node.value, ast.Name):
                owner = aliases.get(node.value.id)
            if owner is not None:
                name = node.attr.replace("_", "-") if owner == "auditor" else node.attr
                found.add((SECTIONS[owner], name))
    return found


@functools.cache
def accessor_settings() -> dict[str, frozenset[Setting]]:
    """The view methods that read settings, by name (through each other too)."""
    methods: dict[str, ast.AST] = {}
    for view in (SuiteView, FileView):
        cls = ast.parse(textwrap.dedent(inspect.getsource(view))).body[0]
        assert isinstance(cls, ast.ClassDef)
        for node in cls.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                methods[node.name] = node
    reads = {name: config_reads(node) for name, node in methods.items()}
    calls = {
        name: {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)} & methods.keys()
        for name, node in methods.items()
    }
    changed = True
    while changed:
        changed = False
        for name in methods:
            more = set().union(*(reads[c] for c in calls[name])) - reads[name]
            if more:
                reads[name] |= more
                changed = True
    return {name: frozenset(found) for name, found in reads.items() if found}


@functools.cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _private_imports(tree: ast.Module, path: Path) -> dict[str, tuple[Path, str]]:
    """Local name -> (file, name there) for names imported from private catalog modules."""
    found: dict[str, tuple[Path, str]] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        module = node.module or ""
        if node.level == 1:
            folder = path.parent
        elif node.level == 0 and module.startswith("auditor.rules."):
            folder, module = RULES_DIR, module.removeprefix("auditor.rules.").replace(".", "/")
        else:
            continue
        for alias in node.names:
            local = alias.asname or alias.name
            if module and module.rsplit("/", 1)[-1].startswith("_"):
                found[local] = (folder / f"{module}.py", alias.name)
            elif not module and alias.name.startswith("_"):  # from . import _common
                found[local] = (folder / f"{alias.name}.py", "*")
    return found


def _code(path: Path, names: Iterable[str], seen: set[tuple[Path, str]]) -> Iterator[ast.AST]:
    """The code of `names` in `path` ("*": all of it) and of the helpers it uses."""
    tree = _tree(path)
    imports = _private_imports(tree, path)
    top: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            top[node.name] = node
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                if isinstance(target, ast.Name):
                    top[target.id] = node
    todo, used = list(names), set[str]()
    while todo:
        name = todo.pop()
        if (path, name) in seen:
            continue
        seen.add((path, name))
        if name == "*":
            yield tree
            used.update(imports)
        elif name in imports:
            used.add(name)
        elif name in top:
            yield top[name]
            todo.extend(n.id for n in ast.walk(top[name]) if isinstance(n, ast.Name))
    for name in sorted(used):
        helper, original = imports[name]
        if helper.is_file():
            yield from _code(helper, [original], seen)


def settings_read(rule: type[Rule]) -> set[Setting]:
    accessors = accessor_settings()
    found: set[Setting] = set()
    for node in _code(Path(inspect.getfile(rule)), ["*"], set()):
        found |= config_reads(node)
        for child in ast.walk(node):
            if isinstance(child, ast.Attribute) and child.attr in accessors:
                found |= accessors[child.attr]
    return found


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_settings_a_rule_reads_are_its_options(rule: type[Rule]) -> None:
    """Every setting that changes what a rule reports is named in its `## Options`, and
    `## Options` names no setting the rule does not read."""
    read = {
        name: where
        for where, name in settings_read(rule)
        if (rule.code, name) not in READS_WITHOUT_EFFECT
    }
    options = section(rule.documentation(), "## Options")
    missing = sorted(f"{read[name]} {name}" for name in read if f"`{name}`" not in options)
    assert not missing, f"## Options must name the settings the rule reads: {missing}"
    unread = sorted(set(OPTION.findall(options)) - read.keys())
    assert not unread, f"## Options names settings the rule does not read: {unread}"


def test_reads_without_effect_are_still_read() -> None:
    by_code = {rule.code: rule for rule in RULES}
    stale = [
        key
        for key in READS_WITHOUT_EFFECT
        if key[1] not in {name for _, name in settings_read(by_code[key[0]])}
    ]
    assert not stale, f"no longer read, drop from READS_WITHOUT_EFFECT: {stale}"


def test_the_settings_scan_sees_each_way_of_reading() -> None:
    by_code = {rule.code: rule for rule in RULES}
    near = ("[tool.test-auditor]", "duplicate-similarity")
    assert accessor_settings()["duplicates"] == {near}
    assert near in settings_read(by_code["TA504"])  # through SuiteView.duplicates
    assert ("pytest ini option", "pythonpath") in settings_read(by_code["TA107"])  # a helper
    assert ("pytest ini option", "python_files") in settings_read(by_code["TA104"])
    assert settings_read(by_code["TA401"]) == set()
    aliased = ast.parse("def f(suite):\n    o = suite.config.pytest\n    return o.addopts\n")
    assert config_reads(aliased) == {("pytest ini option", "addopts")}
    direct = ast.parse("def f(config):\n    return config.auditor.fail_on\n")
    assert config_reads(direct) == {("[tool.test-auditor]", "fail-on")}
