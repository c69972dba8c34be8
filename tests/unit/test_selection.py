"""`-m`, `-k` and `--deselect` in the suite's `addopts`: the model deselects what pytest
deselects (compared with pytest's own collection of small suites), keeps those tests
known as deselected, and says so in the scan report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.model.build import BuildOptions
from auditor.model.selection import option_values, selection_from_addopts
from auditor.pipeline import analyse_path

SUITE = {
    "tests/test_a.py": """\
import pytest

pytestmark = pytest.mark.web


def test_plain():
    pass


@pytest.mark.slow
def test_slow():
    pass


class TestGroup:
    def test_in_class(self):
        pass


@pytest.mark.db
class TestDb:
    def test_db_one(self):
        pass

    @pytest.mark.slow
    def test_db_slow(self):
        pass


class TestChild(TestDb):
    def test_child(self):
        pass


@pytest.mark.parametrize("n", [1, 2])
def test_param(n):
    pass
""",
    "tests/sub/__init__.py": "",
    "tests/sub/test_b.py": """\
import pytest


def test_b_thing():
    pass


@pytest.mark.slow
def test_b_slow():
    pass
""",
    "tests/deep/er/test_c.py": "def test_c_deep():\n    pass\n",
}

MARKS = ["not slow", "db and not slow", "web or db", "parametrize"]
KEYWORDS = [
    "Group",
    "not slow",
    "test_b",
    "sub",
    "deep and er",
    "test_a.py",
    "TestDb and not slow",
    "child or PLAIN",
    "pytestmark",
    "not 1",
    "web",
]

BENCH_PYTEST_74 = (
    Path(os.environ.get("TEST_AUDITOR_BENCH_CACHE", "~/.cache/test-auditor-bench")).expanduser()
    / "venvs"
    / "packaging-pytest74-26.3"
    / "bin"
    / "python"
)
INTERPRETERS = [
    pytest.param(None, id="this-pytest"),
    pytest.param(
        BENCH_PYTEST_74,
        id="pytest-7.4",
        marks=pytest.mark.skipif(
            not BENCH_PYTEST_74.exists(), reason="run benchmarks/fidelity.py to build it"
        ),
    ),
]


def write_suite(root: Path, addopts: str) -> None:
    for name, text in SUITE.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "pytest.ini").write_text(
        f"[pytest]\naddopts = {addopts}\nmarkers =\n    slow\n    db\n    web\n",
        encoding="utf-8",
    )


def pytest_selected(root: Path, python: Path | None) -> set[str]:
    """The base node ids pytest itself runs there (parametrize brackets dropped)."""
    environ = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "VIRTUAL_ENV")}
    done = subprocess.run(
        [str(python or sys.executable), "-m", "pytest", "--collect-only", "-q",
         "-p", "no:cacheprovider", "-p", "no:randomly"],
        cwd=root,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert done.returncode in (0, 5), done.stdout + done.stderr
    return {
        line.split("[")[0] for line in done.stdout.splitlines() if "::" in line and " " not in line
    }


def model_selected(root: Path, python: Path | None) -> tuple[set[str], set[str]]:
    options = BuildOptions(use_cache=False, python=str(python) if python else None)
    suite = analyse_path(root, build=options).suite
    return {t.nodeid for t in suite.selected}, {t.nodeid for t in suite.deselected}


@pytest.mark.parametrize("python", INTERPRETERS)
@pytest.mark.parametrize("expression", MARKS)
def test_mark_expression_deselects_as_pytest(
    tmp_path: Path, expression: str, python: Path | None
) -> None:
    write_suite(tmp_path, f'-m "{expression}"')
    selected, deselected = model_selected(tmp_path, python)
    assert selected == pytest_selected(tmp_path, python)
    assert len(selected) + len(deselected) == 12


@pytest.mark.parametrize("python", INTERPRETERS)
@pytest.mark.parametrize("expression", KEYWORDS)
def test_keyword_expression_deselects_as_pytest(
    tmp_path: Path, expression: str, python: Path | None
) -> None:
    write_suite(tmp_path, f'-k "{expression}"')
    selected, _ = model_selected(tmp_path, python)
    assert selected == pytest_selected(tmp_path, python)


def test_deselect_prefixes_and_both_expressions(tmp_path: Path) -> None:
    write_suite(
        tmp_path,
        "--deselect tests/test_a.py::TestGroup --deselect=tests/test_a.py::test_param[1] "
        '-m "not db" -k "not deep"',
    )
    selected, deselected = model_selected(tmp_path, None)
    assert selected == pytest_selected(tmp_path, None)
    assert "tests/test_a.py::test_param" in selected  # its other case still runs
    assert "tests/test_a.py::TestGroup::test_in_class" in deselected


def test_scan_report_lists_deselected_apart(tmp_path: Path) -> None:
    from auditor.config import load_config
    from auditor.lint.registry import all_rules
    from auditor.pipeline import scan
    from auditor.report.json_report import report_dict

    write_suite(tmp_path, "-m 'not slow'")
    config = load_config([tmp_path], invocation_dir=tmp_path)
    result = scan(
        config,
        [tmp_path],
        rules=all_rules(),
        build=BuildOptions(use_cache=False),
        invocation_dir=tmp_path,
    )
    data = json.loads(json.dumps(report_dict(result.report)))
    listed = {t["nodeid"] for t in data["tests"]}
    assert "tests/test_a.py::test_slow" not in listed
    assert data["summary"]["deselected"] == 4
    assert {d["by"] for d in data["deselected"]} == {"-m 'not slow'"}
    assert sum(data["tiers"]["counts"].values()) == len(listed) == 8


def test_option_values_read_as_argparse_does() -> None:
    args = [
        "-ra",
        "-m",
        "a",
        "-mb",
        "-m=c",
        "--markers",
        "-k",
        "x",
        "--deselect=p",
        "--deselect",
        "q",
    ]
    assert option_values(args, "-m") == ["a", "b", "c"]
    assert option_values(args, "-k") == ["x"]
    assert option_values(args, "--deselect") == ["p", "q"]


def test_last_expression_wins_and_bad_ones_are_reported() -> None:
    selection = selection_from_addopts(["-m", "slow", "-m", "not slow"])
    assert selection.markexpr is not None
    assert selection.markexpr.text == "not slow"
    bad = selection_from_addopts(["-m", "slow and", "-k", "x(y=1)"])
    assert bad.markexpr is None
    assert bad.keywordexpr is None
    assert len(bad.problems) == 2
    assert not selection_from_addopts(["-m", " "]).active
