"""benchmarks/evaluate.py: labels that share a key (rule, path, line), as the labels of a
file-pair rule at line 1 do, each judge one finding, the one about the same pair."""

from __future__ import annotations

from benchmarks.evaluate import FindingLabel, Reported, match_labels, reported_findings

A = "tests/test_select/test_tutorial001_py310.py"
B = "tests/test_select/test_tutorial001.py"
C = "tests/test_update/test_tutorial003.py"


def label(verdict: str, reason: str, path: str = A, line: int = 1) -> FindingLabel:
    return FindingLabel("TA505", path, line, verdict, reason)


def finding(*partners: str, path: str = A) -> Reported:
    return Reported("TA505", path, 1, partners)


RIGHT = label("right", "the two files test the same tutorial, one on the _py310 variant")
WRONG = label(
    "wrong",
    "different tutorials (test_select/test_tutorial001_py310.py vs "
    "test_update/test_tutorial003.py)",
)


def test_partners_are_the_other_files_the_message_names() -> None:
    message = f"`{A}` overlaps `{B}` (100% of its tests are clones): 2 of 2 tests in {A}"
    found = reported_findings([{"rule": "TA505", "path": A, "line": 1, "message": message}])
    assert found == [Reported("TA505", A, 1, (B,))]


def test_one_finding_is_judged_once_by_the_label_of_its_pair() -> None:
    assert match_labels([RIGHT, WRONG], [finding(B)]) == {0: RIGHT}
    assert match_labels([RIGHT, WRONG], [finding(C)]) == {0: WRONG}


def test_many_labels_at_one_key_never_judge_one_finding_many_times() -> None:
    wrongs = [
        label("wrong", f"different tutorials ({A} vs tests/test_x/test_{n}.py)") for n in range(5)
    ]
    matched = match_labels([RIGHT, *wrongs], [finding(B)])
    assert list(matched.values()) == [RIGHT]


def test_a_finding_no_label_is_about_stays_unjudged() -> None:
    assert match_labels([WRONG, WRONG], [finding(B)]) == {}


def test_a_lone_label_judges_what_is_reported_at_its_key() -> None:
    lone = label("wrong", "names another file, tests/test_y.py, in passing", path=C)
    assert match_labels([lone], [finding(B, path=C)]) == {0: lone}
