"""A scan parses each file once per parser and never walks a whole module per query.

Counts, not times: each file's text is parsed by `ast` twice at most (once by the
summary stage, whose results the cache keeps across runs, and once for the rules and the
clone analysis, which share the tree), by libcst once, and no rule or analysis walks a
whole module with `ast.walk`: they ask the file's index (`FileView.nodes`), built by one
walk of its own.
"""

from __future__ import annotations

import ast
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import libcst
import pytest

from auditor.config import load_config
from auditor.lint.registry import all_rules
from auditor.model.build import BuildOptions
from auditor.pipeline import scan

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


class Counts:
    def __init__(self) -> None:
        self.ast_parses: Counter[str] = Counter()
        self.cst_parses: Counter[str] = Counter()
        self.module_walks: Counter[str] = Counter()
        self.sources: dict[int, str] = {}


@pytest.fixture
def counts(monkeypatch: pytest.MonkeyPatch) -> Counts:
    found = Counts()
    parse, walk, parse_module = ast.parse, ast.walk, libcst.parse_module

    def counting_parse(source: Any, *args: Any, **kwargs: Any) -> Any:
        tree = parse(source, *args, **kwargs)
        if isinstance(tree, ast.Module):
            text = source if isinstance(source, str) else bytes(source).decode("utf-8", "replace")
            found.ast_parses[text] += 1
            found.sources[id(tree)] = text
        return tree

    def counting_walk(node: ast.AST) -> Iterator[ast.AST]:
        if isinstance(node, ast.Module):
            found.module_walks[found.sources.get(id(node), "?")] += 1
        return walk(node)

    def counting_parse_module(source: Any, *args: Any, **kwargs: Any) -> Any:
        found.cst_parses[str(source)] += 1
        return parse_module(source, *args, **kwargs)

    monkeypatch.setattr(ast, "parse", counting_parse)
    monkeypatch.setattr(ast, "walk", counting_walk)
    monkeypatch.setattr(libcst, "parse_module", counting_parse_module)
    return found


@pytest.mark.parametrize("name", ["shop", "traps", "harmful"])
def test_each_file_is_parsed_once_per_parser_and_no_module_is_walked_per_query(
    name: str, tmp_path: Path, counts: Counts
) -> None:
    root = tmp_path / name
    shutil.copytree(SAMPLES / name, root)
    config = load_config([root], invocation_dir=root)
    result = scan(
        config, [root], rules=all_rules(), build=BuildOptions(use_cache=False), invocation_dir=root
    )
    assert result.lint.evaluated > 0
    assert result.report.duplicates is not None  # the clone analysis ran too
    files = [p for p in root.rglob("*.py") if p.stat().st_size]
    assert len(counts.ast_parses) >= len(files) // 2
    assert max(counts.ast_parses.values()) <= 2, counts.ast_parses.most_common(1)
    assert max(counts.cst_parses.values(), default=0) <= 1
    assert sum(counts.module_walks.values()) == 0, counts.module_walks


def test_the_tiers_reach_reads_the_project_modules_the_rules_parsed(
    tmp_path: Path, counts: Counts
) -> None:
    """The project's own modules are parsed by `ast` once: those the rules read are
    summarised for the tiers' reach from the rules' trees, the others by the reach."""
    root = tmp_path / "app_reach"
    shutil.copytree(SAMPLES / "app_reach", root)
    config = load_config([root], invocation_dir=root)
    result = scan(
        config, [root], rules=all_rules(), build=BuildOptions(use_cache=False), invocation_dir=root
    )
    evidence = result.analysis.tiers.tests["tests/test_repository.py::test_adds_a_user"].evidence
    assert "`Repository.__init__` (app/db.py:9)" in str(evidence[0])  # the reach got there
    modules = sorted((root / "app").glob("*.py"))
    assert {p.name: counts.ast_parses[p.read_text()] for p in modules} == {
        p.name: 1 for p in modules
    }
