"""benchmarks/evaluate.py: labels that share a key (rule, path, line), as the labels of a
file-pair rule at line 1 do, each judge one finding, the one about the same pair."""

from __future__ import annotations

from benchmarks.evaluate import (
    FindingLabel,
    Reported,
    canonical_kind,
    claim,
    family,
    match_labels,
    reported_findings,
    rules_by_kind,
)

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
    assert found == [Reported("TA505", A, 1, (B,), message)]


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


def near(partner: str, advice: str = "parametrize them") -> Reported:
    message = f"test `t` is 80% similar to test `t` ({partner}:7): {advice}"
    return Reported("TA504", A, 3, (partner,), message)


def test_a_label_judges_only_the_claim_it_was_written_for() -> None:
    """The label judged a finding naming B; the finding at its key now names C: a claim
    nobody judged. The same partner with other words is still the judged claim."""
    judged = FindingLabel("TA504", A, 3, "wrong", "different features")
    then = {(family("TA504"), A, 3): {claim(near(B).message)}}
    assert match_labels([judged], [near(C)], then) == {}
    assert match_labels([judged], [near(B, "extract a helper")], then) == {0: judged}


def test_advice_to_delete_is_another_claim_than_advice_to_parametrize() -> None:
    judged = FindingLabel("TA504", A, 3, "wrong", "'delete it' is wrong: other models")
    then = {(family("TA504"), A, 3): {claim(near(B, "it checks nothing more; delete it").message)}}
    assert match_labels([judged], [near(B, "consider one test parametrized")], then) == {}
    assert match_labels([judged], [near(B, "keep one copy of the 2")], then) == {0: judged}


def test_hazard_kinds_are_read_as_the_rules_of_that_kind() -> None:
    kinds = rules_by_kind()
    assert kinds[canonical_kind("writes-outside-tmp")] == ["TA309"]
    assert kinds[canonical_kind("resource-leak")] == ["TA308"]
    assert kinds[canonical_kind("uncollected-test")] == ["TA108"]
    assert kinds[canonical_kind("process-state-change")] == ["TA306"]
    assert canonical_kind("no-such-kind") not in kinds


def test_a_near_copy_label_judges_the_same_pair_found_as_a_copy() -> None:
    """TA504 and TA501 make one claim at two strengths: a label on a near copy judges the
    finding that now calls the same pair a copy, with the same advice."""
    judged = FindingLabel("TA504", A, 3, "right", "the py310 variant of the same tutorial")
    then = {(family("TA504"), A, 3): {claim(near(B).message)}}
    message = f"test `t` is the code of test `t` ({B}:7): parametrize them"
    copy = Reported("TA501", A, 3, (B,), message)
    assert match_labels([judged], [copy], then) == {0: judged}
    other = Reported("TA502", A, 3, (B,), message)
    assert match_labels([judged], [other], then) == {}
