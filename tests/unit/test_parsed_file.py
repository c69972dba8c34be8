"""`ParsedFile`: one walk of a file's tree indexes its nodes for every rule."""

from __future__ import annotations

import ast
from pathlib import Path

from auditor.parse.trees import ParsedFile

SAMPLES = Path(__file__).parent.parent / "samples"
SHARED = (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)
"""Node kinds `ast.parse` shares between parents (one `Load()` for the whole tree)."""


def test_nodes_come_in_ast_walk_order_with_their_parents() -> None:
    files = sorted(SAMPLES.glob("shop/**/*.py"))
    assert len(files) >= 5
    for path in files:
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        parsed = ParsedFile(text, tree)
        walked = list(ast.walk(tree))
        assert parsed.nodes(*{type(node) for node in walked}) == walked
        for kind in (ast.Call, ast.Name, ast.FunctionDef):
            assert parsed.of_type(kind) == [n for n in walked if type(n) is kind]
        for node in walked:
            for child in ast.iter_child_nodes(node):
                if not isinstance(child, SHARED):
                    assert parsed.parent(child) is node
        assert parsed.parent(tree) is None


def test_def_at_finds_the_def_on_a_line_at_any_depth() -> None:
    text = (
        "import pytest\n\n\nclass TestA:\n    @pytest.fixture\n    def db(self):\n"
        "        async def inner():\n            pass\n        return inner\n"
    )
    parsed = ParsedFile(text, ast.parse(text))
    found = parsed.def_at(6)
    assert isinstance(found, ast.FunctionDef)
    assert found.name == "db"
    inner = parsed.def_at(7)
    assert isinstance(inner, ast.AsyncFunctionDef)
    assert inner.name == "inner"
    assert parsed.def_at(5) is None
