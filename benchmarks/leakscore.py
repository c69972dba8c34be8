"""Score `test-auditor leaks` on generated suites with answer keys (issue 16).

    .venv/bin/python -m benchmarks.leakscore [--seeds tuning|held-out|1,2,7] [--json FILE]
        [--work DIR] [--max-tests N] [--timeout 3600]

For each seed, ``benchmarks.leakgen.generate`` writes a fresh suite (its size is fixed by
the seed, ``suite_size``) into ``--work`` (default: a temporary folder, removed at the
end), then:

1. ``python -m pytest -p no:randomly -q`` once in the suite: the wall-time reference;
2. ``python -m auditor leaks --format json --seed S`` in the suite (S = the suite's seed);
3. the report is scored against the key:

- pairs: *right* (right polluter and victim, and one line of the reported ``state``
  contains the key's substring, case-insensitive), *right pair, wrong state*, *missed*,
  *wrong* (a reported pair the key does not have, said why: the victim is flaky, the
  victim is planted with another polluter, the victim is brittle, or spurious);
- brittle: right (test and one of its setters), wrong setter, wrong (not brittle), missed;
- cleaners: right (cleaner, polluter and victim);
- flaky: reported as flaky, not seen (a flaky test may pass every round by chance), and
  *misreported*: a flaky test named as a victim, polluter, brittle test or state-setter
  (must never happen); tests reported flaky that are not;
- executions against the budget ``3 * tests + 4 * pairs``; wall time against the plain run.

Two fixed seed sets: TUNING (1-10) to tune the hunt on, HELD-OUT (101-120) to measure it
on; both spread from 100 to 2,000 tests. A table goes to stdout, details per seed after it,
and everything to ``--json FILE``.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script or with -m
from leakgen import AnswerKey, generate

TUNING = tuple(range(1, 11))
HELD_OUT = tuple(range(101, 121))
TUNING_SIZES = (100, 150, 200, 300, 400, 500, 700, 1000, 1400, 2000)


def suite_size(seed: int) -> tuple[int, int]:
    """(tests, files) of the suite of a seed: fixed per seed, 100 to 2,000 tests."""
    if seed in TUNING:
        tests = TUNING_SIZES[TUNING.index(seed)]
    elif seed in HELD_OUT:
        k = HELD_OUT.index(seed)
        tests = 100 + round(1900 * k / (len(HELD_OUT) - 1))
    else:
        tests = random.Random(seed).randint(100, 2000)
    per_file = random.Random(seed * 7919).randint(5, 15)
    files = max(10, min(200, tests // per_file))
    return tests, files


@dataclass
class Score:
    seed: int
    tests: int = 0
    files: int = 0
    pairs_expected: int = 0
    pairs_right: int = 0
    pairs_wrong_state: list[str] = field(default_factory=list)
    pairs_missed: list[str] = field(default_factory=list)
    pairs_wrong: list[str] = field(default_factory=list)
    brittle_expected: int = 0
    brittle_right: int = 0
    brittle_wrong: list[str] = field(default_factory=list)
    brittle_missed: list[str] = field(default_factory=list)
    cleaners_expected: int = 0
    cleaners_right: int = 0
    cleaners_missed: list[str] = field(default_factory=list)
    flaky_expected: int = 0
    flaky_reported: int = 0
    flaky_unseen: list[str] = field(default_factory=list)
    flaky_misreported: list[str] = field(default_factory=list)
    not_flaky_called_flaky: list[str] = field(default_factory=list)
    crashed: int = 0
    executions: int = 0
    budget: int = 0
    by_phase: dict[str, int] = field(default_factory=dict)
    """The report's ``executions_by_phase``."""
    processes: int = 0
    seconds: float = 0.0
    plain_seconds: float = 0.0
    failing: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    error: str | None = None
    skipped: str | None = None

    @property
    def ratio(self) -> float:
        return self.seconds / self.plain_seconds if self.plain_seconds else 0.0


def state_matches(want: str, lines: list[str]) -> bool:
    return any(want.lower() in line.lower() for line in lines)


def score_report(key: AnswerKey, report: dict[str, Any], score: Score) -> None:
    """Fill ``score`` from a leaks JSON report and the key."""
    expected = {(p["polluter"], p["victim"]): p for p in key.pairs}
    victims = {p["victim"]: p for p in key.pairs}
    brittle = {b["nodeid"]: b for b in key.brittle}
    flaky = {f["nodeid"] for f in key.flaky}
    score.pairs_expected = len(expected)
    score.brittle_expected = len(brittle)
    score.cleaners_expected = len(key.cleaners)
    score.flaky_expected = len(flaky)
    score.executions = int(report.get("test_executions", 0))
    score.budget = 3 * key.tests + 4 * len(expected)
    score.by_phase = {str(k): int(v) for k, v in report.get("executions_by_phase", {}).items()}
    score.processes = int(report.get("processes", 0))
    score.crashed = len(report.get("crashed", []))
    score.failing = list(report.get("failing", []))
    score.unresolved = list(report.get("unresolved", []))

    got: set[tuple[str, str]] = set()
    for pair in report.get("pairs", []):
        p, v = pair["polluter"], pair["victim"]
        state = [str(s) for s in pair.get("state", [])]
        got.add((p, v))
        shown = "; ".join(state)[:160]
        if (p, v) in expected:
            want = expected[(p, v)]
            if state_matches(want["state"], state):
                score.pairs_right += 1
            else:
                score.pairs_wrong_state.append(
                    f"[{want['kind']}] {p} -> {v}: wants {want['state']!r}, got {shown!r}"
                )
            continue
        noise = [n for n in key.noise if n.lower() in shown.lower()]
        if v in flaky:
            why = "victim is FLAKY"
        elif v in victims:
            why = (
                f"planted victim [{victims[v]['kind']}] of {victims[v]['polluter']}, wrong polluter"
            )
        elif v in brittle:
            why = "victim is a brittle test"
        else:
            why = "spurious"
        if noise:
            why += f" (state is noise: {', '.join(noise)})"
        score.pairs_wrong.append(f"{p} -> {v}: {why}; state {shown!r}")
    for (p, v), want in expected.items():
        if (p, v) not in got:
            score.pairs_missed.append(f"[{want['kind']}] {p} -> {v} ({want['state']})")

    for b in report.get("brittle", []):
        nodeid, setters = b["nodeid"], set(b.get("state_setters", []))
        if nodeid in brittle:
            if setters & set(brittle[nodeid]["setters"]):
                score.brittle_right += 1
            else:
                score.brittle_wrong.append(
                    f"[{brittle[nodeid]['kind']}] {nodeid}: setters {sorted(setters)}, "
                    f"want {brittle[nodeid]['setters']}"
                )
        else:
            score.brittle_wrong.append(f"{nodeid} (not brittle) <- {sorted(setters)}")
    reported_brittle = {b["nodeid"] for b in report.get("brittle", [])}
    score.brittle_missed = [
        f"[{b['kind']}] {n} <- {b['setters']}"
        for n, b in brittle.items()
        if n not in reported_brittle
    ]

    reported_cleaners = {
        (c["nodeid"], c["polluter"], c["victim"]) for c in report.get("cleaners", [])
    }
    for c in key.cleaners:
        if (c["nodeid"], c["polluter"], c["victim"]) in reported_cleaners:
            score.cleaners_right += 1
        else:
            score.cleaners_missed.append(f"[{c['kind']}] {c['nodeid']}")

    reported_flaky = {f["nodeid"] for f in report.get("flaky", [])}
    score.flaky_reported = len(reported_flaky & flaky)
    score.not_flaky_called_flaky = sorted(reported_flaky - flaky)
    roles: dict[str, set[str]] = {}
    for pair in report.get("pairs", []):
        roles.setdefault(pair["victim"], set()).add("victim")
        roles.setdefault(pair["polluter"], set()).add("polluter")
    for v in report.get("victims", []):
        roles.setdefault(v["nodeid"], set()).add("victim")
    for b in report.get("brittle", []):
        roles.setdefault(b["nodeid"], set()).add("brittle")
        for s in b.get("state_setters", []):
            roles.setdefault(s, set()).add("setter")
    for f in sorted(flaky):
        if f in roles:
            score.flaky_misreported.append(f"{f} reported as {', '.join(sorted(roles[f]))}")
        elif f not in reported_flaky:
            score.flaky_unseen.append(f)


def score_seed(seed: int, work: Path, timeout: float, max_tests: int | None) -> Score:
    tests, files = suite_size(seed)
    score = Score(seed, tests, files)
    if max_tests is not None and tests > max_tests:
        score.skipped = f"{tests} tests > --max-tests {max_tests}"
        return score
    out = work / f"seed-{seed}"
    if out.exists():
        shutil.rmtree(out)
    key = generate(seed, tests, files, out)
    suite = out / "suite"
    start = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:randomly", "-q"],
        cwd=suite,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    score.plain_seconds = time.monotonic() - start
    cmd = [sys.executable, "-m", "auditor", "leaks", "--format", "json", "--seed", str(seed)]
    start = time.monotonic()
    try:
        done = subprocess.run(
            cmd, cwd=suite, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        score.error = f"leaks timed out after {timeout:.0f} s"
        return score
    score.seconds = time.monotonic() - start
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:]
        score.error = f"exit {done.returncode}: {' '.join(tail)}"
        return score
    (out / "report.json").write_text(done.stdout, encoding="utf-8")
    score_report(key, report, score)
    return score


def table(scores: list[Score]) -> str:
    head = (
        f"{'seed':>4} {'tests':>5} {'pairs ok':>9} {'bad st':>6} {'missed':>6} "
        f"{'wrong':>5} {'brittle':>8} {'b.wrong':>7} {'clean':>5} {'flaky':>5} "
        f"{'fl.mis':>6} {'execs/budget':>13} {'time s':>7} {'x plain':>7}"
    )
    rows = [head, "-" * len(head)]
    for s in scores:
        if s.skipped or s.error:
            rows.append(f"{s.seed:>4} {s.tests:>5}  {s.skipped or s.error}")
            continue
        rows.append(
            f"{s.seed:>4} {s.tests:>5} {s.pairs_right:>4}/{s.pairs_expected:<4} "
            f"{len(s.pairs_wrong_state):>6} {len(s.pairs_missed):>6} {len(s.pairs_wrong):>5} "
            f"{s.brittle_right:>3}/{s.brittle_expected:<4} {len(s.brittle_wrong):>7} "
            f"{s.cleaners_right:>2}/{s.cleaners_expected:<2} "
            f"{s.flaky_reported:>2}/{s.flaky_expected:<2} {len(s.flaky_misreported):>6} "
            f"{s.executions:>6}/{s.budget:<6} {s.seconds:>7.1f} {s.ratio:>7.1f}"
        )
    done = [s for s in scores if not (s.skipped or s.error)]
    if done:
        exp = sum(s.pairs_expected for s in done)
        right = sum(s.pairs_right for s in done)
        rows.append("-" * len(head))
        rows.append(
            f"{'all':>4} {sum(s.tests for s in done):>5} {right:>4}/{exp:<4} "
            f"{sum(len(s.pairs_wrong_state) for s in done):>6} "
            f"{sum(len(s.pairs_missed) for s in done):>6} "
            f"{sum(len(s.pairs_wrong) for s in done):>5} "
            f"{sum(s.brittle_right for s in done):>3}/{sum(s.brittle_expected for s in done):<4} "
            f"{sum(len(s.brittle_wrong) for s in done):>7} "
            f"{sum(s.cleaners_right for s in done):>2}/{sum(s.cleaners_expected for s in done):<2} "
            f"{sum(s.flaky_reported for s in done):>2}/{sum(s.flaky_expected for s in done):<2} "
            f"{sum(len(s.flaky_misreported) for s in done):>6} "
            f"{sum(s.executions for s in done):>6}/{sum(s.budget for s in done):<6} "
            f"{sum(s.seconds for s in done):>7.1f}"
        )
    return "\n".join(rows)


PHASES = (
    "default order",
    "rounds",
    "pairs",
    "alone",
    "search",
    "brittle",
    "cleaners",
    "flaky tests",
    "unresolved",
)
"""The hunt's phases (``executions_by_phase``) in the order it runs them; others follow."""


def phase_table(scores: list[Score]) -> str:
    """Executions per phase and seed, and over every seed: where the budget goes."""
    done = [s for s in scores if not (s.skipped or s.error)]
    seen = {name for s in done for name in s.by_phase}
    names = [n for n in PHASES if n in seen] + sorted(seen - set(PHASES))
    if not names:
        return ""
    head = f"{'seed':>4} " + " ".join(f"{name:>13}" for name in names)
    rows = [head, "-" * len(head)]
    for s in done:
        rows.append(f"{s.seed:>4} " + " ".join(f"{s.by_phase.get(n, 0):>13}" for n in names))
    totals = " ".join(f"{sum(s.by_phase.get(n, 0) for s in done):>13}" for n in names)
    rows += ["-" * len(head), f"{'all':>4} {totals}"]
    return "\n".join(rows)


def details(scores: list[Score]) -> str:
    out: list[str] = []
    for s in scores:
        lines = [f"  missed: {x}" for x in s.pairs_missed]
        lines += [f"  wrong state: {x}" for x in s.pairs_wrong_state]
        lines += [f"  wrong pair: {x}" for x in s.pairs_wrong]
        lines += [f"  brittle wrong: {x}" for x in s.brittle_wrong]
        lines += [f"  brittle missed: {x}" for x in s.brittle_missed]
        lines += [f"  cleaner missed: {x}" for x in s.cleaners_missed]
        lines += [f"  FLAKY MISREPORTED: {x}" for x in s.flaky_misreported]
        lines += [f"  flaky not seen: {x}" for x in s.flaky_unseen]
        lines += [f"  not flaky, called flaky: {x}" for x in s.not_flaky_called_flaky]
        if s.crashed:
            lines.append(f"  crashed: {s.crashed}")
        if s.executions > s.budget:
            phases = ", ".join(f"{name} {count}" for name, count in s.by_phase.items())
            lines.append(f"  OVER BUDGET: {s.executions} > {s.budget} ({phases})")
        if lines:
            out.append(f"seed {s.seed} ({s.tests} tests):")
            out.extend(lines)
    return "\n".join(out)


def parse_seeds(text: str) -> list[int]:
    if text == "tuning":
        return list(TUNING)
    if text in ("held-out", "heldout"):
        return list(HELD_OUT)
    return [int(x) for x in text.split(",") if x.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", default="tuning", help="tuning | held-out | 1,2,3")
    parser.add_argument("--json", type=Path, help="write every score here")
    parser.add_argument("--work", type=Path, help="keep the suites and reports here")
    parser.add_argument("--max-tests", type=int, help="skip the seeds with bigger suites")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per run")
    args = parser.parse_args(argv)
    seeds = parse_seeds(args.seeds)
    temp = None if args.work else Path(tempfile.mkdtemp(prefix="leakscore-"))
    work = args.work or temp
    assert work is not None
    work.mkdir(parents=True, exist_ok=True)
    scores: list[Score] = []
    try:
        for seed in seeds:
            score = score_seed(seed, work, args.timeout, args.max_tests)
            scores.append(score)
            found = f"{score.pairs_right}/{score.pairs_expected} pairs"
            print(
                f"seed {seed}: {score.tests} tests, {score.skipped or score.error or found}"
                f" ({score.seconds:.0f} s)",
                file=sys.stderr,
                flush=True,
            )
            if args.json:
                args.json.write_text(
                    json.dumps(
                        {
                            "seeds": args.seeds,
                            "scores": [asdict(s) | {"ratio": s.ratio} for s in scores],
                        },
                        indent=1,
                    )
                    + "\n",
                    encoding="utf-8",
                )
    finally:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)
    print(f"seed set: {args.seeds}")
    print(table(scores))
    phases = phase_table(scores)
    if phases:
        print()
        print("executions by phase")
        print(phases)
    text = details(scores)
    if text:
        print()
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
