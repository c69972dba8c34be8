"""Applying fixes: one plan per file with every fix in it, skipped fixes with a reason,
files written all or none, and bytes (encoding, line endings) kept."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import libcst as cst
import pytest
from libcst.codemod import VisitorBasedCodemodCommand

from auditor.api import Rule
from auditor.lint.fixes import FileChange, plan_fixes, write_all
from auditor.lint.registry import builtin_rules
from auditor.testing import run_rule, write_tree
from auditor.types import Applicability, Finding, Fix, Severity

ADD_TEST_FALSE = "auditor.lint.codemods.add_test_false:AddTestFalse"
YIELD = "auditor.lint.codemods.yield_instead_of_return:YieldInsteadOfReturn"
MONKEYPATCH_ENV = "auditor.lint.codemods.use_monkeypatch_env:UseMonkeypatchEnv"

HELPERS = """\
class TestDataA:
    value = 1


class TestDataB:
    value = 2
"""


class AssignToCall(VisitorBasedCodemodCommand):
    """A broken transform: every ``x = ...`` becomes ``f() = ...``, which does not compile."""

    DESCRIPTION = "Break assignments (for the tests)"

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign) -> cst.Assign:
        call: cst.BaseExpression = cst.Call(cst.Name("f"))
        target = cst.AssignTarget(call)  # type: ignore[arg-type]  # the point: it is invalid
        return updated_node.with_changes(targets=[target])


BREAK = f"{__name__}:AssignToCall"


def finding(
    path: str,
    codemod: str,
    options: tuple[tuple[str, str | int], ...] = (),
    *,
    applicability: Applicability = Applicability.SAFE,
    fix_path: str = "",
    line: int = 1,
) -> Finding:
    fix = Fix(applicability, "fix it", codemod=codemod, options=options, path=fix_path)
    return Finding("XT101", "x", Severity.WARNING, path, line, 0, "message", fix)


def add_test_false(path: str, cls: str, **kwargs: object) -> Finding:
    return finding(path, ADD_TEST_FALSE, (("cls", cls),), **kwargs)  # type: ignore[arg-type]


def write(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


# -- planning -------------------------------------------------------------------------


def test_every_fix_of_a_file_goes_into_one_change(tmp_path: Path) -> None:
    write(tmp_path, {"test_a.py": HELPERS})
    first = add_test_false("test_a.py", "TestDataA", line=1)
    second = add_test_false("test_a.py", "TestDataB", line=5)
    plan = plan_fixes(tmp_path, [second, first], unsafe=False)
    assert plan.applied == (second, first)
    assert plan.skipped == ()
    (change,) = plan.changes
    assert change.path == "test_a.py"
    assert change.before == HELPERS.encode()
    assert change.after.decode() == (
        "class TestDataA:\n    __test__ = False\n    value = 1\n\n\n"
        "class TestDataB:\n    __test__ = False\n    value = 2\n"
    )
    # planning writes nothing
    assert (tmp_path / "test_a.py").read_text(encoding="utf-8") == HELPERS


def test_a_fix_that_conflicts_with_an_earlier_one_is_skipped(tmp_path: Path) -> None:
    write(tmp_path, {"test_a.py": HELPERS})
    first = add_test_false("test_a.py", "TestDataA")
    again = add_test_false("test_a.py", "TestDataA")
    plan = plan_fixes(tmp_path, [first, again], unsafe=False)
    assert plan.applied == (first,)
    assert plan.skipped == ((again, "skipped: TestDataA already sets __test__"),)
    (change,) = plan.changes
    assert change.after.decode().count("__test__ = False") == 1


def test_a_fix_whose_target_is_gone_is_skipped(tmp_path: Path) -> None:
    write(tmp_path, {"test_a.py": HELPERS})
    gone = add_test_false("test_a.py", "TestRemoved")
    plan = plan_fixes(tmp_path, [gone], unsafe=False)
    assert plan.changes == ()
    assert plan.applied == ()
    assert plan.skipped == ((gone, "skipped: no class TestRemoved"),)


def test_a_fix_that_changes_nothing_is_skipped_not_applied(tmp_path: Path) -> None:
    # the codemod finds its function but no write it can rewrite: the file stays as it
    # is, so the finding stays too and must not be counted as fixed
    code = "import os\n\n\ndef test_env():\n    os.environ.update(A='1')\n"
    write(tmp_path, {"test_a.py": code})
    unchanged = finding("test_a.py", MONKEYPATCH_ENV, (("function", "test_env"),))
    plan = plan_fixes(tmp_path, [unchanged], unsafe=False)
    assert plan.changes == ()
    assert plan.applied == ()
    assert plan.skipped == ((unchanged, "the fix changed nothing"),)


def test_a_fix_that_changes_nothing_beside_one_that_does(tmp_path: Path) -> None:
    code = (
        "import os\n\n\ndef test_env():\n    os.environ.update(A='1')\n\n\n"
        "def test_other():\n    os.environ['B'] = '2'\n"
    )
    write(tmp_path, {"test_a.py": code})
    unchanged = finding("test_a.py", MONKEYPATCH_ENV, (("function", "test_env"),))
    changed = finding("test_a.py", MONKEYPATCH_ENV, (("function", "test_other"),), line=9)
    plan = plan_fixes(tmp_path, [unchanged, changed], unsafe=False)
    assert plan.applied == (changed,)
    assert plan.skipped == ((unchanged, "the fix changed nothing"),)
    (change,) = plan.changes
    assert b"def test_other(monkeypatch):\n    monkeypatch.setenv('B', '2')\n" in change.after


def test_findings_sharing_one_fix_are_all_fixed_by_it(tmp_path: Path) -> None:
    # TA301 gives each write of a test the same fix: its second run changes nothing
    # more, and both findings are fixed
    code = "import os\n\n\ndef test_env():\n    os.environ['A'] = '1'\n    del os.environ['B']\n"
    write(tmp_path, {"test_a.py": code})
    options = (("function", "test_env"),)
    first = finding("test_a.py", MONKEYPATCH_ENV, options, line=5)
    second = finding("test_a.py", MONKEYPATCH_ENV, options, line=6)
    plan = plan_fixes(tmp_path, [first, second], unsafe=False)
    assert plan.applied == (first, second)
    assert plan.skipped == ()
    (change,) = plan.changes
    assert change.after.decode() == (
        "import os\n\n\ndef test_env(monkeypatch):\n    monkeypatch.setenv('A', '1')\n"
        "    monkeypatch.delenv('B', raising=False)\n"
    )


def test_a_one_line_class_gets_its_fix(tmp_path: Path) -> None:
    write(tmp_path, {"test_a.py": "class TestThing(Base): pass\n"})
    fix = add_test_false("test_a.py", "TestThing")
    plan = plan_fixes(tmp_path, [fix], unsafe=False)
    assert (plan.applied, plan.skipped) == ((fix,), ())
    (change,) = plan.changes
    assert change.after == b"class TestThing(Base):\n    __test__ = False\n    pass\n"


def builtin(code: str) -> type[Rule]:
    return next(rule for rule in builtin_rules() if rule.code == code)


def fixed_by_the_rule(root: Path, code: str) -> list[Finding]:
    """Apply every fix the rule offers; its findings before."""
    findings = run_rule(builtin(code), root)
    assert findings
    assert all(f.fixable for f in findings), findings
    plan = plan_fixes(root, findings, unsafe=False)
    assert plan.skipped == ()
    assert plan.applied == tuple(findings)
    write_all(root, plan.changes)
    assert run_rule(builtin(code), root) == []
    return findings


ENV_WRITE = "    os.environ['A'] = '1'\n"
ENV_FIXED = "    monkeypatch.setenv('A', '1')\n"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            f"import os.path\n\ndef test_a():\n{ENV_WRITE}",
            f"import os.path\n\ndef test_a(monkeypatch):\n{ENV_FIXED}",
        ),
        (
            f"import os\n\ndef test_a(tmp_path, x=1):\n{ENV_WRITE}",
            f"import os\n\ndef test_a(tmp_path, monkeypatch, x=1):\n{ENV_FIXED}",
        ),
        (
            f"import os\n\nclass TestA:\n    def test_a(self, x=1, *, y=2):\n    {ENV_WRITE}",
            "import os\n\nclass TestA:\n    def test_a(self, monkeypatch, x=1, *, y=2):\n"
            f"    {ENV_FIXED}",
        ),
        (
            f"import os\n\ndef test_a(x=1, /):\n{ENV_WRITE}",
            f"import os\n\ndef test_a(x=1, /, *, monkeypatch):\n{ENV_FIXED}",
        ),
    ],
    ids=["import-os-path", "default", "method-default-kwonly", "positional-only-default"],
)
def test_ta301_fixes_what_it_offers_to_fix(tmp_path: Path, before: str, after: str) -> None:
    write_tree(tmp_path, {"test_a.py": before})
    fixed_by_the_rule(tmp_path, "TA301")
    assert (tmp_path / "test_a.py").read_text(encoding="utf-8") == after


@pytest.mark.parametrize(
    "code",
    [
        f"import os\n\ndef test_a(monkeypatch=None):\n{ENV_WRITE}",
        f"import os\n\ndef test_a(*, monkeypatch=None):\n{ENV_WRITE}",
        # the codemod would take the local dict for os.environ
        f"import os\nfrom os import environ\n\ndef test_a():\n{ENV_WRITE}"
        "    environ = {}\n    environ['B'] = '2'\n",
    ],
    ids=["monkeypatch-default", "monkeypatch-kwonly-default", "local-environ"],
)
def test_ta301_offers_no_fix_its_codemod_cannot_apply(tmp_path: Path, code: str) -> None:
    write_tree(tmp_path, {"test_a.py": code})
    findings = run_rule(builtin("TA301"), tmp_path)
    assert findings
    assert not any(f.fixable for f in findings)


def test_ta103_fixes_a_one_line_class(tmp_path: Path) -> None:
    write_tree(tmp_path, {"test_a.py": "class TestThing(Exception): pass\n"})
    fixed_by_the_rule(tmp_path, "TA103")
    assert (tmp_path / "test_a.py").read_text(encoding="utf-8") == (
        "class TestThing(Exception):\n    __test__ = False\n    pass\n"
    )


def test_a_failing_codemod_skips_only_its_own_fix(tmp_path: Path) -> None:
    write(tmp_path, {"test_a.py": HELPERS})
    missing = finding("test_a.py", "auditor.lint.codemods.no_such_module:Nope")
    good = add_test_false("test_a.py", "TestDataB")
    plan = plan_fixes(tmp_path, [missing, good], unsafe=False)
    assert plan.applied == (good,)
    ((skipped, reason),) = plan.skipped
    assert skipped is missing
    assert reason.startswith("codemod failed: ModuleNotFoundError(")
    (change,) = plan.changes
    assert b"__test__ = False" in change.after


def test_fixed_code_that_does_not_compile_leaves_the_file_alone(tmp_path: Path) -> None:
    write(tmp_path, {"test_a.py": HELPERS, "test_b.py": HELPERS})
    good_in_a = add_test_false("test_a.py", "TestDataA")
    broken = finding("test_a.py", BREAK)
    good_in_b = add_test_false("test_b.py", "TestDataA")
    plan = plan_fixes(tmp_path, [good_in_a, broken, good_in_b], unsafe=False)
    assert [c.path for c in plan.changes] == ["test_b.py"]
    assert plan.applied == (good_in_b,)
    assert [f for f, _ in plan.skipped] == [good_in_a, broken]
    assert all("fixed code does not compile" in reason for _, reason in plan.skipped)


def test_a_file_that_does_not_parse_skips_its_fixes(tmp_path: Path) -> None:
    write(tmp_path, {"test_a.py": "class TestDataA(:\n"})
    fix = add_test_false("test_a.py", "TestDataA")
    gone = add_test_false("test_missing.py", "TestDataA")
    plan = plan_fixes(tmp_path, [fix, gone], unsafe=False)
    assert plan.changes == ()
    reasons = {f.path: reason for f, reason in plan.skipped}
    assert reasons["test_a.py"].startswith("cannot parse test_a.py: ")
    assert reasons["test_missing.py"] == (
        "test_missing.py cannot be read (No such file or directory); file left alone"
    )


def test_a_read_only_file_is_left_alone(tmp_path: Path) -> None:
    write(tmp_path, {"test_a.py": HELPERS, "test_b.py": HELPERS})
    os.chmod(tmp_path / "test_a.py", 0o444)
    read_only = add_test_false("test_a.py", "TestDataA")
    writable = add_test_false("test_b.py", "TestDataA")
    plan = plan_fixes(tmp_path, [read_only, writable], unsafe=False)
    assert plan.skipped == ((read_only, "test_a.py is read-only; file left alone"),)
    assert plan.applied == (writable,)
    assert [c.path for c in plan.changes] == ["test_b.py"]


def test_applicability_decides_what_is_applied(tmp_path: Path) -> None:
    write(tmp_path, {"test_a.py": HELPERS})
    unsafe = add_test_false("test_a.py", "TestDataA", applicability=Applicability.UNSAFE)
    display = add_test_false("test_a.py", "TestDataB", applicability=Applicability.DISPLAY_ONLY)
    suggestion = finding("test_a.py", "")  # no codemod: only a suggestion
    plain = Finding("XT101", "x", Severity.WARNING, "test_a.py", 1, 0, "no fix")
    findings = [unsafe, display, suggestion, plain]

    safe_only = plan_fixes(tmp_path, findings, unsafe=False)
    assert (safe_only.changes, safe_only.applied, safe_only.skipped) == ((), (), ())

    with_unsafe = plan_fixes(tmp_path, findings, unsafe=True)
    assert with_unsafe.applied == (unsafe,)
    (change,) = with_unsafe.changes
    assert change.after.decode().count("__test__ = False") == 1


def test_a_fix_can_target_another_file(tmp_path: Path) -> None:
    fixture = (
        "import pytest\n\n\n@pytest.fixture\n"
        "def db():\n    conn = 1\n    return conn\n    print('closed')\n"
    )
    write(tmp_path, {"conftest.py": fixture, "test_a.py": "def test_a(db):\n    pass\n"})
    flagged_in_test = finding("test_a.py", YIELD, (("function", "db"),), fix_path="conftest.py")
    plan = plan_fixes(tmp_path, [flagged_in_test], unsafe=False)
    (change,) = plan.changes
    assert change.path == "conftest.py"
    assert b"    yield conn\n    print('closed')\n" in change.after


def test_encoding_and_line_endings_are_kept(tmp_path: Path) -> None:
    latin = "# -*- coding: latin-1 -*-\r\nclass TestData:\r\n    name = 'caf\xe9'\r\n"
    bom = "class TestData:\r\n    name = 'caf\xe9'\r\n"
    write(
        tmp_path,
        {
            "test_latin.py": latin.encode("latin-1"),
            "test_bom.py": b"\xef\xbb\xbf" + bom.encode("utf-8"),
            "test_lf.py": "class TestData:\n    x = 1\n",
        },
    )
    plan = plan_fixes(
        tmp_path,
        [
            add_test_false("test_latin.py", "TestData"),
            add_test_false("test_bom.py", "TestData"),
            add_test_false("test_lf.py", "TestData"),
        ],
        unsafe=False,
    )
    after = {c.path: c.after for c in plan.changes}
    assert after["test_latin.py"] == (
        "# -*- coding: latin-1 -*-\r\nclass TestData:\r\n    __test__ = False\r\n"
        "    name = 'caf\xe9'\r\n"
    ).encode("latin-1")
    assert (
        after["test_bom.py"]
        == b"\xef\xbb\xbf"
        + ("class TestData:\r\n    __test__ = False\r\n    name = 'caf\xe9'\r\n").encode()
    )
    assert after["test_lf.py"] == b"class TestData:\n    __test__ = False\n    x = 1\n"


def test_lone_cr_line_endings_keep_their_final_cr(tmp_path: Path) -> None:
    write(tmp_path, {"test_a.py": b"class TestData:\r    x = 1\r"})
    plan = plan_fixes(tmp_path, [add_test_false("test_a.py", "TestData")], unsafe=False)
    (change,) = plan.changes
    assert change.after == b"class TestData:\r    __test__ = False\r    x = 1\r"


# -- changes and writing --------------------------------------------------------------


def test_reverted_and_diff() -> None:
    change = FileChange("test_a.py", b"a = 1\nb = 2\n", b"a = 1\nb = 3\n")
    back = change.reverted()
    assert (back.path, back.before, back.after) == ("test_a.py", change.after, change.before)
    assert back.reverted() == change
    assert change.diff() == (
        "--- a/test_a.py\n+++ b/test_a.py\n@@ -1,2 +1,2 @@\n a = 1\n-b = 2\n+b = 3\n"
    )


def test_write_all_writes_every_change_and_keeps_the_mode(tmp_path: Path) -> None:
    write(tmp_path, {"test_a.py": "a = 1\n", "sub/test_b.py": "b = 1\n"})
    os.chmod(tmp_path / "test_a.py", 0o755)
    changes = [
        FileChange("test_a.py", b"a = 1\n", b"a = 2\n"),
        FileChange("sub/test_b.py", b"b = 1\n", b"b = 2\n"),
    ]
    write_all(tmp_path, changes)
    assert (tmp_path / "test_a.py").read_bytes() == b"a = 2\n"
    assert (tmp_path / "sub/test_b.py").read_bytes() == b"b = 2\n"
    assert stat.S_IMODE((tmp_path / "test_a.py").stat().st_mode) == 0o755
    write_all(tmp_path, [c.reverted() for c in changes])
    assert (tmp_path / "test_a.py").read_bytes() == b"a = 1\n"
    assert (tmp_path / "sub/test_b.py").read_bytes() == b"b = 1\n"
    assert sorted(p.name for p in tmp_path.rglob(".ta-*")) == []


def test_write_all_writes_through_a_symlink(tmp_path: Path) -> None:
    write(tmp_path, {"real/helpers.py": "a = 1\n"})
    (tmp_path / "test_link.py").symlink_to("real/helpers.py")
    write_all(tmp_path, [FileChange("test_link.py", b"a = 1\n", b"a = 2\n")])
    assert (tmp_path / "test_link.py").is_symlink()
    assert (tmp_path / "real/helpers.py").read_bytes() == b"a = 2\n"


def test_write_all_writes_nothing_when_a_file_cannot_be_staged(tmp_path: Path) -> None:
    write(tmp_path, {"test_a.py": "a = 1\n"})
    changes = [
        FileChange("test_a.py", b"a = 1\n", b"a = 2\n"),
        FileChange("gone/test_b.py", b"b = 1\n", b"b = 2\n"),
    ]
    with pytest.raises(FileNotFoundError):
        write_all(tmp_path, changes)
    assert (tmp_path / "test_a.py").read_bytes() == b"a = 1\n"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["test_a.py"]


def test_write_all_puts_originals_back_when_a_replace_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {"test_a.py": "a = 1\n", "test_b.py": "b = 1\n", "test_c.py": "c = 1\n"})
    changes = [
        FileChange(name, f"{name[5]} = 1\n".encode(), f"{name[5]} = 2\n".encode())
        for name in ("test_a.py", "test_b.py", "test_c.py")
    ]
    real_replace = os.replace
    calls: list[str] = []

    def replace_failing_on_the_second(source: str | Path, target: str | Path) -> None:
        calls.append(str(target))
        if len(calls) == 2:
            raise PermissionError("read-only")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace_failing_on_the_second)
    with pytest.raises(PermissionError):
        write_all(tmp_path, changes)
    monkeypatch.undo()
    assert len(calls) == 2
    for name in ("test_a.py", "test_b.py", "test_c.py"):
        assert (tmp_path / name).read_bytes() == f"{name[5]} = 1\n".encode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["test_a.py", "test_b.py", "test_c.py"]
