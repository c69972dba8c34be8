"""Score test-auditor against the hand-written labels in ``benchmarks/labels/*.toml``.

Each label file holds one third-party suite (an extracted sdist): hand-labelled tiers of
a sample of its tests, the judged findings of ``check`` (right or wrong), and hazards
found by reading. For each suite this runs, in the sdist root,

    python -m auditor scan --no-cache --format json [--run --python VENV_PYTHON]
    python -m auditor check --no-cache --format json

and reports, for the TUNING half and the HELD-OUT half of the labels (a fixed hash of
each item decides) and for each suite and overall: tier accuracy with a confusion
matrix, finding precision per rule (right / judged, over the findings ``check`` still
reports) and hazard recall (a hazard is found when ``check`` reports its rule within
two lines of it in its file; a hazard labelled without a rule, when a rule of its kind
does: `canonical_kind`). Findings are judged by the labels of their rule, path and line
only where they make the claim that was judged (`claim`; what ``check`` said when the
labels were written is in ``labels/<suite>.labelled.json``). Run from the repository::

    .venv/bin/python -m benchmarks.evaluate [--root NAME=PATH ...] [--suite NAME ...]
        [--run [--python NAME=PATH ...]] [--json FILE]

The sdist root of a suite is given by ``--root`` (NAME is the distribution or
``distribution-version``) or found under ``--real-dir`` (default ``/work/real``) as
``<distribution>-<version>`` in any spelling of the name (case, ``-``/``_``/``.``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

LABELS_DIR = Path(__file__).resolve().parent / "labels"
DEFAULT_REAL_DIR = Path("/work/real")
DEFAULT_VENVS_DIR = Path("/work/labelvenvs")
SPLIT_SEED = 20261207
HAZARD_WINDOW = 2
TIERS = ("unit", "integration", "performance")
MISSING = "missing"
HALVES = ("tuning", "held-out")
ALL = "all"


def half_of(distribution: str, key: str) -> str:
    """The half a labelled item belongs to: a fixed hash of the suite and the item key."""
    digest = hashlib.sha256(f"{SPLIT_SEED}:{distribution}:{key}".encode()).hexdigest()
    return "tuning" if int(digest, 16) % 2 == 0 else "held-out"


def strip_params(nodeid: str) -> str:
    """A node id without its ``[param]`` part (from the first ``[`` after the path)."""
    start = nodeid.find("::")
    bracket = nodeid.find("[", start if start != -1 else 0)
    return nodeid if bracket == -1 else nodeid[:bracket]


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# --- labels -------------------------------------------------------------------------


@dataclass(frozen=True)
class TestLabel:
    nodeid: str
    tier: str
    reason: str


@dataclass(frozen=True)
class FindingLabel:
    rule: str
    path: str
    line: int
    verdict: str
    reason: str

    @property
    def key(self) -> str:
        return f"{self.path}:{self.line}:{self.rule}"


@dataclass(frozen=True)
class Hazard:
    path: str
    line: int
    kind: str
    rule: str
    description: str

    @property
    def key(self) -> str:
        return f"{self.path}:{self.line}:{self.rule}"


@dataclass(frozen=True)
class LabelFile:
    path: Path
    distribution: str
    version: str
    test_dir: str
    collected: int
    tests: tuple[TestLabel, ...]
    findings: tuple[FindingLabel, ...]
    hazards: tuple[Hazard, ...]

    @property
    def name(self) -> str:
        return f"{self.distribution}-{self.version}"


def load_labels(path: Path) -> LabelFile:
    data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    suite: dict[str, Any] = data["suite"]
    tests = tuple(
        TestLabel(str(t["nodeid"]), str(t["tier"]), str(t.get("reason", "")))
        for t in data.get("test", [])
    )
    findings = tuple(
        FindingLabel(
            str(f["rule"]),
            str(f["path"]),
            int(f["line"]),
            str(f["verdict"]),
            str(f.get("reason", "")),
        )
        for f in data.get("finding", [])
    )
    hazards = tuple(
        Hazard(
            str(h["path"]),
            int(h["line"]),
            str(h.get("kind", "")),
            str(h.get("rule", "")),
            str(h.get("description", "")),
        )
        for h in data.get("hazard", [])
    )
    for label in tests:
        if label.tier not in TIERS:
            raise ValueError(f"{path}: {label.nodeid}: unknown tier {label.tier!r}")
    for finding in findings:
        if finding.verdict not in ("right", "wrong"):
            raise ValueError(f"{path}: {finding.key}: unknown verdict {finding.verdict!r}")
    return LabelFile(
        path=path,
        distribution=str(suite["distribution"]),
        version=str(suite["version"]),
        test_dir=str(suite.get("test_dir", "")),
        collected=int(suite.get("collected", 0)),
        tests=tests,
        findings=findings,
        hazards=hazards,
    )


# --- locating and running ----------------------------------------------------------


def parse_pairs(values: Iterable[str], option: str) -> dict[str, Path]:
    pairs: dict[str, Path] = {}
    for value in values:
        name, sep, path = value.partition("=")
        if not sep or not name or not path:
            raise SystemExit(f"{option} expects NAME=PATH, got {value!r}")
        pairs[canonical(name)] = Path(path).expanduser()
    return pairs


def given_for(labels: LabelFile, given: dict[str, Path]) -> Path | None:
    for name in (labels.name, labels.distribution):
        if canonical(name) in given:
            return given[canonical(name)]
    return None


def find_root(labels: LabelFile, roots: dict[str, Path], real_dir: Path) -> Path | None:
    """The extracted sdist of a suite: ``--root`` first, then a folder of ``real_dir``."""
    root = given_for(labels, roots)
    if root is not None:
        return root
    if not real_dir.is_dir():
        return None
    wanted = canonical(labels.distribution)
    suffix = f"-{labels.version}"
    for candidate in sorted(real_dir.iterdir()):
        if not candidate.is_dir() or not candidate.name.endswith(suffix):
            continue
        if canonical(candidate.name[: -len(suffix)]) == wanted:
            return candidate
    return None


def find_python(labels: LabelFile, pythons: dict[str, Path], venvs_dir: Path) -> Path | None:
    """The interpreter of the suite's own virtualenv, for ``scan --run``."""
    python = given_for(labels, pythons)
    if python is not None:
        return python
    for name in (labels.distribution, canonical(labels.distribution), labels.name):
        candidate = venvs_dir / name / "bin" / "python"
        if candidate.exists():
            return candidate
    return None


@dataclass
class Run:
    """One auditor command; ``data`` is its parsed JSON, None when it failed."""

    command: list[str]
    returncode: int | None
    seconds: float
    data: Any
    problem: str = ""


def run_json(command: list[str], cwd: Path, timeout: float) -> Run:
    started = time.perf_counter()
    try:
        done = subprocess.run(
            command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return Run(command, None, time.perf_counter() - started, None, f"timed out ({timeout}s)")
    seconds = time.perf_counter() - started
    # Exit code 1 means "findings"; only 2 (or a crash) is a failure.
    try:
        data = json.loads(done.stdout)
    except json.JSONDecodeError:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return Run(command, done.returncode, seconds, None, " | ".join(tail) or "no JSON")
    problem = "" if done.returncode in (0, 1) else (done.stderr.strip().splitlines() or [""])[-1]
    return Run(command, done.returncode, seconds, data, problem)


# --- scoring ------------------------------------------------------------------------


@dataclass
class TierScore:
    right: int = 0
    found: int = 0
    missing: int = 0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    wrong: list[tuple[str, str, str]] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)

    @property
    def labelled(self) -> int:
        return self.found + self.missing

    def add(self, other: TierScore) -> None:
        self.right += other.right
        self.found += other.found
        self.missing += other.missing
        self.confusion.update(other.confusion)
        self.wrong.extend(other.wrong)
        self.absent.extend(other.absent)


@dataclass
class FindingScore:
    """Judged findings that check still reports, per rule: (right, wrong)."""

    right: Counter[str] = field(default_factory=Counter)
    wrong: Counter[str] = field(default_factory=Counter)
    gone_right: Counter[str] = field(default_factory=Counter)
    gone_wrong: Counter[str] = field(default_factory=Counter)
    wrong_found: list[str] = field(default_factory=list)
    lost_found: list[str] = field(default_factory=list)
    """Findings judged right that ``check`` no longer reports (recall lost)."""

    def add(self, other: FindingScore) -> None:
        self.right.update(other.right)
        self.wrong.update(other.wrong)
        self.gone_right.update(other.gone_right)
        self.gone_wrong.update(other.gone_wrong)
        self.wrong_found.extend(other.wrong_found)
        self.lost_found.extend(other.lost_found)

    @property
    def judged(self) -> int:
        return sum(self.right.values()) + sum(self.wrong.values())


@dataclass
class HazardScore:
    found: int = 0
    total: int = 0
    with_rule: int = 0
    missed: list[str] = field(default_factory=list)

    def add(self, other: HazardScore) -> None:
        self.found += other.found
        self.total += other.total
        self.with_rule += other.with_rule
        self.missed.extend(other.missed)


@dataclass
class Score:
    tiers: TierScore = field(default_factory=TierScore)
    findings: FindingScore = field(default_factory=FindingScore)
    hazards: HazardScore = field(default_factory=HazardScore)

    def add(self, other: Score) -> None:
        self.tiers.add(other.tiers)
        self.findings.add(other.findings)
        self.hazards.add(other.hazards)


def scanned_tiers(report: Any) -> dict[str, str]:
    """Tier per node id (parameters stripped) from a ``scan --format json`` report."""
    votes: dict[str, Counter[str]] = {}
    for test in report.get("tests", []) if isinstance(report, dict) else []:
        nodeid = strip_params(str(test.get("nodeid", "")))
        votes.setdefault(nodeid, Counter())[str(test.get("tier"))] += 1
    # A test whose parameters got different tiers takes the most common one.
    return {nodeid: counter.most_common(1)[0][0] for nodeid, counter in votes.items()}


@dataclass(frozen=True)
class Reported:
    """One finding of ``check``: where it is, and the other files its message names."""

    rule: str
    path: str
    line: int
    partners: tuple[str, ...] = ()
    message: str = ""

    @property
    def place(self) -> tuple[str, str, int]:
        """Where it is: its rule's family (`family`), path and line."""
        return (family(self.rule), self.path, self.line)


FAMILIES = {"TA501": "TA501/TA504", "TA504": "TA501/TA504"}
"""Rules that make one claim at different strengths: "this test repeats that one" as a
copy (TA501) or a near copy (TA504). A label written for one judges the other's finding
about the same pair with the same advice (`claim`): a test that was a 98% near copy and
is now found to be the same code up to a module alias is the same judged claim."""


def family(rule: str) -> str:
    return FAMILIES.get(rule, rule)


PY_FILE = re.compile(r"[\w./-]+\.py\b")


def reported_findings(check: Any) -> list[Reported]:
    items = check if isinstance(check, list) else []
    found = []
    for f in items:
        path = str(f["path"])
        named = PY_FILE.findall(str(f.get("message", "")))
        partners = tuple(dict.fromkeys(name for name in named if name != path))
        message = str(f.get("message", ""))
        found.append(Reported(str(f["rule"]), path, int(f["line"]), partners, message))
    return found


def names_file(text: str, path: str) -> bool:
    """Whether ``text`` names ``path``, in full or by a trailing part (``dir/test_x.py``)."""
    return any(path == name or path.endswith("/" + name) for name in PY_FILE.findall(text))


LOCATION = re.compile(r"[\w./-]+\.py(?::\d+)?\b")


DELETION = re.compile(r"\bdelete (it|them)\b|\bkeep one\b", re.IGNORECASE)


def claim(message: str) -> tuple[str, ...]:
    """What a finding claims, as far as a verdict on it depends: the files and lines it
    names (its partners), and whether it advises deleting tests (the one advice that
    loses a test: "delete it", "keep one copy"; a label objecting to a deletion does not
    judge a finding that now advises parametrizing)."""
    locations = sorted(set(LOCATION.findall(message)))
    return (*locations, "advises deletion" if DELETION.search(message) else "keeps tests")


def load_labelled(labels: LabelFile) -> dict[tuple[str, str, int], set[tuple[str, ...]]] | None:
    """The claims ``check`` made at each key when the labels were written (see
    ``benchmarks.label_time_findings``), or None when that record is missing."""
    path = labels.path.with_name(f"{labels.name}.labelled.json")
    if not path.is_file():
        return None
    claims: dict[tuple[str, str, int], set[tuple[str, ...]]] = {}
    for f in json.loads(path.read_text(encoding="utf-8")):
        key = (family(str(f["rule"])), str(f["path"]), int(f["line"]))
        claims.setdefault(key, set()).add(claim(str(f["message"])))
    return claims


def match_labels(
    labels: Sequence[FindingLabel],
    reported: Sequence[Reported],
    labelled: dict[tuple[str, str, int], set[tuple[str, ...]]] | None = None,
) -> dict[int, FindingLabel]:
    """Which label judges each reported finding (by index); each label judges one finding.

    A label is written for one finding of ``check``, keyed by rule, path and line. Rules
    about a pair of files or tests (TA505 at line 1 of a file, one finding per other file)
    reported several findings at one key when the labels were written, so a key can hold
    several labels, each judging another pair. Where a key holds one label, it judges
    what is reported there. Where it holds several, a reported finding takes the label
    whose reason names the other file its message names, else one that names no other
    file of the pair at all; one finding is never counted as several judged ones.

    With ``labelled`` (the claims made at each key when the labels were written), a
    finding whose message now points at other files or lines than any finding at its key
    did then (a duplicate rule naming another partner) is a claim nobody judged: no
    label judges it.
    """
    by_key: dict[tuple[str, str, int], list[FindingLabel]] = {}
    for label in labels:
        by_key.setdefault((family(label.rule), label.path, label.line), []).append(label)
    reported_at = Counter(finding.place for finding in reported)
    matched: dict[int, FindingLabel] = {}
    for index, finding in enumerate(reported):
        candidates = by_key.get(finding.place)
        if not candidates:
            continue
        if labelled is not None and claim(finding.message) not in labelled.get(
            finding.place, set()
        ):
            continue
        if len(candidates) == 1 and reported_at[finding.place] == 1:
            matched[index] = candidates.pop()
            continue
        same_pair = [
            label
            for label in candidates
            if any(names_file(label.reason, partner) for partner in finding.partners)
        ]
        no_pair = [
            label
            for label in candidates
            if not any(
                name != label.path and not label.path.endswith("/" + name)
                for name in PY_FILE.findall(label.reason)
            )
        ]
        chosen = same_pair or no_pair
        if chosen:
            candidates.remove(chosen[0])
            matched[index] = chosen[0]
    return matched


@dataclass
class SuiteResult:
    labels: LabelFile
    root: Path | None
    scan: Run | None
    check: Run | None
    halves: dict[str, Score]
    unjudged: Counter[str]
    problems: list[str]


def score_suite(labels: LabelFile, scan: Run | None, check: Run | None) -> SuiteResult:
    halves = {half: Score() for half in HALVES}
    problems: list[str] = []
    dist = labels.distribution

    tiers = scanned_tiers(scan.data) if scan and scan.data is not None else None
    if tiers is None:
        problems.append("scan failed: tiers not scored" + (f" ({scan.problem})" if scan else ""))
    else:
        for label in labels.tests:
            score_t = halves[half_of(dist, label.nodeid)].tiers
            got = tiers.get(label.nodeid)
            if got is None:
                score_t.missing += 1
                score_t.absent.append(label.nodeid)
                score_t.confusion[(label.tier, MISSING)] += 1
                continue
            score_t.found += 1
            score_t.confusion[(label.tier, got)] += 1
            if got == label.tier:
                score_t.right += 1
            else:
                score_t.wrong.append((label.nodeid, label.tier, got))

    unjudged: Counter[str] = Counter()
    reported = reported_findings(check.data) if check and check.data is not None else None
    if reported is None:
        problems.append("check failed: findings and hazards not scored")
    else:
        labelled = load_labelled(labels)
        if labelled is None:
            problems.append("no label-time findings: every finding judged by its key alone")
        matched = match_labels(labels.findings, reported, labelled)
        judging = {id(label) for label in matched.values()}
        for index, judge in matched.items():
            if judge.verdict == "wrong":
                halves[half_of(dist, judge.key)].findings.wrong_found.append(
                    f"{judge.key}\n          label: {judge.reason}"
                    f"\n          now:   {reported[index].message}"
                )
        for index, judge in matched.items():
            score_f = halves[half_of(dist, judge.key)].findings
            # counted under the rule that reports it today (a TA504 label judging what is
            # now a TA501 finding about the same pair counts for TA501)
            (score_f.right if judge.verdict == "right" else score_f.wrong)[
                reported[index].rule
            ] += 1
        for finding in labels.findings:
            if id(finding) not in judging:
                score_f = halves[half_of(dist, finding.key)].findings
                gone = score_f.gone_right if finding.verdict == "right" else score_f.gone_wrong
                gone[finding.rule] += 1
                if finding.verdict == "right":
                    score_f.lost_found.append(f"{finding.key}\n          label: {finding.reason}")
        for index, found in enumerate(reported):
            if index not in matched:
                unjudged[found.rule] += 1
        by_file: dict[tuple[str, str], list[int]] = {}
        for found in reported:
            by_file.setdefault((found.rule, found.path), []).append(found.line)
        kinds = rules_by_kind()
        for hazard in labels.hazards:
            score_h = halves[half_of(dist, hazard.key)].hazards
            score_h.total += 1
            rules = [hazard.rule] if hazard.rule else kinds.get(canonical_kind(hazard.kind), [])
            if rules:
                score_h.with_rule += 1
            lines = [line for rule in rules for line in by_file.get((rule, hazard.path), [])]
            if any(abs(line - hazard.line) <= HAZARD_WINDOW for line in lines):
                score_h.found += 1
            else:
                score_h.missed.append(f"{hazard.key} ({hazard.kind})")
    return SuiteResult(labels, None, scan, check, halves, unjudged, problems)


KIND_SYNONYMS = {
    "resource-leak": "unreleased-resource",
    "source-tree-mutation": "write-outside-tmp",
    "write-project-file": "write-outside-tmp",
    "global-listener-at-import": "process-state-change",
    "global-listener-leak": "process-state-change",
    "uncollected-test": "uncollected-test-function",
    "copied-fixture-body": "duplicated-fixture",
    "global-registry-leak": "module-attribute-assignment",
    "global-registry-mutation": "module-attribute-assignment",
}
"""Hazard kinds written by the labellers, as the name of the rule that detects that kind
(where the kind is not already a rule's name). Made from the kind names of the hazards
labelled without a rule, in both halves (names only; no hazard's place or text)."""


def canonical_kind(kind: str) -> str:
    """A hazard kind in the spelling of rule names (``writes-outside-tmp`` is the
    ``write-outside-tmp`` rule's kind)."""
    kind = re.sub(r"^writes-", "write-", kind.strip().lower())
    return KIND_SYNONYMS.get(kind, kind)


def rules_by_kind() -> dict[str, list[str]]:
    """Rule codes by rule name. A hazard labelled without a rule (none covered its kind
    when the labels were written) is found when a rule of its kind reports at it."""
    from auditor.lint.registry import builtin_rules

    found: dict[str, list[str]] = {}
    for rule in builtin_rules():
        found.setdefault(rule.name, []).append(rule.code)
    return found


# --- report -------------------------------------------------------------------------


def ratio(num: int, den: int) -> str:
    return f"{num}/{den} ({num / den:.1%})" if den else f"{num}/0 (-)"


def fraction(num: int, den: int) -> float | None:
    return num / den if den else None


def combined(results: Sequence[SuiteResult], half: str) -> Score:
    total = Score()
    for result in results:
        for name in HALVES if half == ALL else (half,):
            total.add(result.halves[name])
    return total


def score_json(score: Score) -> dict[str, Any]:
    tiers = score.tiers
    findings = score.findings
    rules = sorted(set(findings.right) | set(findings.wrong))
    return {
        "tiers": {
            "labelled": tiers.labelled,
            "found": tiers.found,
            "not_found": tiers.missing,
            "right": tiers.right,
            "accuracy": fraction(tiers.right, tiers.found),
            "confusion": {
                label: {got: tiers.confusion[(label, got)] for got in (*TIERS, MISSING)}
                for label in TIERS
            },
            "wrong": [
                {"nodeid": nodeid, "label": label, "scan": got}
                for nodeid, label, got in tiers.wrong
            ],
            "not_found_nodeids": tiers.absent,
        },
        "findings": {
            "judged": findings.judged,
            "right": sum(findings.right.values()),
            "precision": fraction(sum(findings.right.values()), findings.judged),
            "per_rule": {
                rule: {
                    "right": findings.right[rule],
                    "judged": findings.right[rule] + findings.wrong[rule],
                    "precision": fraction(
                        findings.right[rule], findings.right[rule] + findings.wrong[rule]
                    ),
                }
                for rule in rules
            },
            "no_longer_reported": {
                "right": dict(findings.gone_right),
                "wrong": dict(findings.gone_wrong),
            },
        },
        "hazards": {
            "total": score.hazards.total,
            "with_rule": score.hazards.with_rule,
            "found": score.hazards.found,
            "recall": fraction(score.hazards.found, score.hazards.total),
            "recall_with_rule": fraction(score.hazards.found, score.hazards.with_rule),
            "missed": score.hazards.missed,
        },
    }


def format_score(title: str, score: Score, details: bool) -> list[str]:
    tiers, findings, hazards = score.tiers, score.findings, score.hazards
    lines = [f"  {title}"]
    lines.append(
        f"    tiers     {ratio(tiers.right, tiers.found)} right"
        f"   not found in scan: {tiers.missing}/{tiers.labelled}"
    )
    header = "label \\ scan".ljust(14) + "".join(t.rjust(13) for t in (*TIERS, MISSING))
    lines.append("      " + header)
    for label in TIERS:
        row = "".join(str(tiers.confusion[(label, got)]).rjust(13) for got in (*TIERS, MISSING))
        lines.append("      " + label.ljust(14) + row)
    right = sum(findings.right.values())
    lines.append(f"    findings  precision {ratio(right, findings.judged)}")
    for rule in sorted(set(findings.right) | set(findings.wrong)):
        judged = findings.right[rule] + findings.wrong[rule]
        lines.append(f"      {rule}  {ratio(findings.right[rule], judged)}")
    gone_right, gone_wrong = sum(findings.gone_right.values()), sum(findings.gone_wrong.values())
    if gone_right or gone_wrong:
        lines.append(
            f"      judged but no longer reported: {gone_right} right (lost), "
            f"{gone_wrong} wrong (fixed)"
        )
    lines.append(
        f"    hazards   recall {ratio(hazards.found, hazards.total)}"
        f"   (of those a rule covers: {ratio(hazards.found, hazards.with_rule)})"
    )
    if details:
        for nodeid, label, got in tiers.wrong:
            lines.append(f"      tier  {nodeid}: labelled {label}, scan says {got}")
        for nodeid in tiers.absent:
            lines.append(f"      tier  {nodeid}: not in the scan")
        for missed in hazards.missed:
            lines.append(f"      hazard missed  {missed}")
        for wrong in findings.wrong_found:
            lines.append(f"      finding wrong  {wrong}")
        for lost in findings.lost_found:
            lines.append(f"      finding lost   {lost}")
    return lines


def format_report(results: Sequence[SuiteResult], details: bool) -> str:
    out: list[str] = []
    for result in results:
        labels = result.labels
        out.append(
            f"== {labels.name}  ({len(labels.tests)} tests, {len(labels.findings)} findings, "
            f"{len(labels.hazards)} hazards labelled; root {result.root})"
        )
        for problem in result.problems:
            out.append(f"  ! {problem}")
        if result.unjudged:
            unjudged = ", ".join(f"{r} {n}" for r, n in sorted(result.unjudged.items()))
            out.append(f"  findings reported but not judged: {unjudged}")
        for half in HALVES:
            # Only the tuning half's mistakes are ever listed: the held-out half is measured,
            # never looked into, so that its score stays evidence.
            out.extend(format_score(half, result.halves[half], details and half == "tuning"))
        out.append("")
    out.append(f"== overall ({len(results)} suites)")
    for half in (*HALVES, ALL):
        out.extend(format_score(half, combined(results, half), details=False))
    return "\n".join(out)


def report_json(results: Sequence[SuiteResult]) -> dict[str, Any]:
    suites = []
    for result in results:
        runs = {}
        for name, run in (("scan", result.scan), ("check", result.check)):
            runs[name] = (
                None
                if run is None
                else {
                    "command": run.command,
                    "returncode": run.returncode,
                    "seconds": round(run.seconds, 2),
                    "problem": run.problem,
                }
            )
        suites.append(
            {
                "suite": result.labels.name,
                "label_file": str(result.labels.path),
                "root": str(result.root) if result.root else None,
                "runs": runs,
                "problems": result.problems,
                "unjudged_findings": dict(result.unjudged),
                "halves": {half: score_json(result.halves[half]) for half in HALVES},
                "all": score_json(combined([result], ALL)),
            }
        )
    return {
        "split": {"seed": SPLIT_SEED, "rule": "sha256(f'{seed}:{distribution}:{key}') % 2"},
        "suites": suites,
        "overall": {half: score_json(combined(results, half)) for half in (*HALVES, ALL)},
    }


# --- main ---------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--labels", type=Path, default=LABELS_DIR, help="folder of *.toml")
    parser.add_argument("--suite", action="append", help="only this suite (repeatable)")
    parser.add_argument("--root", action="append", default=[], help="NAME=PATH of an sdist")
    parser.add_argument("--real-dir", type=Path, default=DEFAULT_REAL_DIR)
    parser.add_argument("--run", action="store_true", help="scan with --run (runs the suites)")
    parser.add_argument(
        "--python", action="append", default=[], help="NAME=PATH of a suite's venv python"
    )
    parser.add_argument("--venvs-dir", type=Path, default=DEFAULT_VENVS_DIR)
    parser.add_argument(
        "--auditor-python", default=sys.executable, help="python that has test-auditor"
    )
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per command")
    parser.add_argument("--json", type=Path, help="also write the scores here")
    parser.add_argument(
        "--tuning-labels",
        action="store_true",
        help="print the tuning half's labels (the only ones to read when changing analyses)",
    )
    parser.add_argument(
        "--details",
        action="store_true",
        help="list the tuning half's wrong tiers and missed hazards (never the held-out half's)",
    )
    return parser.parse_args(argv)


def evaluate_suite(
    labels: LabelFile, args: argparse.Namespace, roots: dict[str, Path], pythons: dict[str, Path]
) -> SuiteResult:
    root = find_root(labels, roots, args.real_dir)
    if root is None or not root.is_dir():
        result = score_suite(labels, None, None)
        result.problems = [f"sdist not found (give --root {labels.name}=PATH)"]
        return result
    auditor = [args.auditor_python, "-m", "auditor"]
    scan_cmd = [*auditor, "scan", "--no-cache", "--format", "json"]
    problems: list[str] = []
    if args.run:
        scan_cmd.append("--run")
        python = find_python(labels, pythons, args.venvs_dir)
        if python is None:
            problems.append("no venv python for --run (give --python NAME=PATH)")
        else:
            scan_cmd += ["--python", str(python), "--timeout", str(args.timeout)]
    print(f"-- {labels.name}: scan ...", file=sys.stderr, flush=True)
    scan = run_json(scan_cmd, root, args.timeout)
    print(f"-- {labels.name}: check ...", file=sys.stderr, flush=True)
    check = run_json([*auditor, "check", "--no-cache", "--format", "json"], root, args.timeout)
    result = score_suite(labels, scan, check)
    result.root = root
    result.problems = problems + result.problems
    for name, run in (("scan", scan), ("check", check)):
        if run.data is not None and run.problem:
            result.problems.append(f"{name} exit {run.returncode}: {run.problem}")
    return result


def tuning_labels(label_files: Sequence[LabelFile]) -> str:
    """The labels of the tuning half only: what anyone changing the analyses may read."""
    out: list[str] = []
    for labels in label_files:
        name = labels.distribution
        out.append(f"== {labels.name} (tuning half)")
        for test in labels.tests:
            if half_of(name, test.nodeid) == "tuning":
                out.append(f"  tier {test.tier:<12} {test.nodeid}  -- {test.reason}")
        for finding in labels.findings:
            if half_of(name, finding.key) == "tuning":
                out.append(
                    f"  finding {finding.verdict:<5} {finding.rule} {finding.path}:{finding.line}"
                    f"  -- {finding.reason}"
                )
        for hazard in labels.hazards:
            if half_of(name, hazard.key) == "tuning":
                out.append(
                    f"  hazard {hazard.rule or '(no rule)'} {hazard.path}:{hazard.line}"
                    f" {hazard.kind}  -- {hazard.description}"
                )
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    roots = parse_pairs(args.root, "--root")
    pythons = parse_pairs(args.python, "--python")
    files = sorted(args.labels.glob("*.toml"))
    label_files = [load_labels(path) for path in files]
    if args.suite:
        wanted = {canonical(name) for name in args.suite}
        label_files = [
            lf
            for lf in label_files
            if canonical(lf.distribution) in wanted or canonical(lf.name) in wanted
        ]
    if not label_files:
        print(f"no label files in {args.labels}", file=sys.stderr)
        return 2
    if args.tuning_labels:
        print(tuning_labels(label_files))
        return 0
    results = [evaluate_suite(lf, args, roots, pythons) for lf in label_files]
    print(format_report(results, args.details))
    if args.json:
        args.json.write_text(json.dumps(report_json(results), indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
