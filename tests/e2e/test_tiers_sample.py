"""The tier classifier on the labelled sample suite (tests/samples/tiers, LABELS.toml)."""

from __future__ import annotations

import sys
from pathlib import Path

from auditor.analysis.tier_model import Tiers
from auditor.pipeline import analyse_path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "tiers"


def sample_tiers() -> Tiers:
    return analyse_path(SAMPLE).tiers


def test_static_tier_accuracy_on_the_labelled_sample() -> None:
    labels: dict[str, str] = tomllib.loads((SAMPLE / "LABELS.toml").read_text())["tiers"]
    tiers = sample_tiers()
    assert set(tiers.tests) == set(labels), "the sample and its labels disagree on the tests"
    assert len(labels) >= 80
    assert {tier: list(labels.values()).count(tier) for tier in tiers.names} == {
        "unit": 99,
        "integration": 52,
        "performance": 22,
    }
    wrong = {n: tiers.tests[n] for n, label in labels.items() if tiers.tests[n].tier != label}
    report = "\n".join(
        f"{n}: labelled {labels[n]}, called {t.tier}: {t.evidence[0]}" for n, t in wrong.items()
    )
    assert (len(labels) - len(wrong)) / len(labels) >= 0.95, report
    # every call, right or wrong, says why
    assert all(t.evidence for t in tiers.tests.values())


def test_misleading_names_do_not_mislead() -> None:
    tiers = sample_tiers()
    by_file: dict[str, set[str]] = {}
    for test in tiers.tests.values():
        by_file.setdefault(test.path, set()).add(test.tier)
    assert "integration" in by_file["tests/test_utils.py"]
    assert by_file["tests/test_api.py"] == {"unit"}
