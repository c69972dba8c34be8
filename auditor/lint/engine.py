"""Runs rules over a suite view: selection, per-file ignores, `# noqa`, severity
overrides and the baseline. A rule that crashes becomes a `RuleError`, never a traceback
for the user; the run goes on and ends with exit code 2."""

from __future__ import annotations

import fnmatch
import gc
import hashlib
import json
import re
import traceback
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.api import Rule, SuiteView
from auditor.config import AuditorSettings
from auditor.lint.file_pass import check_files
from auditor.types import Finding, Severity

if TYPE_CHECKING:
    from auditor.lint.rule_cache import RuleCache

NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*))?", re.I)
FILE_NOQA = re.compile(
    r"^\s*#\s*test-auditor:\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*))?",
    re.I | re.M,
)


class SelectionError(ValueError):
    """A --select/--ignore token that names no rule."""


@dataclass(frozen=True, slots=True)
class RuleError:
    rule: str
    path: str
    message: str
    traceback: str


@dataclass(frozen=True, slots=True)
class RunResult:
    findings: tuple[Finding, ...]
    errors: tuple[RuleError, ...] = ()
    suppressed: int = 0
    baselined: int = 0
    evaluated: int = 0
    """`check_file` calls made (a warm run with nothing changed makes none)."""
    reused: int = 0
    """Rule results taken from the cache (per file and rule, and per suite-wide rule)."""


def _matches(rule: type[Rule], token: str) -> bool:
    """Whether `token` (any case) is ALL, the rule's code or a prefix of it, its name or
    its category; a blank token matches nothing."""
    token = token.strip().lower()
    return bool(token) and (
        token == "all"
        or rule.code.lower().startswith(token)
        or token in (rule.category.lower(), rule.name.lower())
    )


def select_rules(
    rules: Sequence[type[Rule]],
    *,
    select: Sequence[str] = (),
    extend_select: Sequence[str] = (),
    ignore: Sequence[str] = (),
) -> list[type[Rule]]:
    """Rules chosen by codes, code prefixes (``TA3``), categories or names, in any
    case; `ignore` wins over `select`. An empty `select` means every rule; an empty
    token (``ignore = [""]``) is an error, not a prefix of every code."""
    for token in (*select, *extend_select, *ignore):
        if not token.strip():
            raise SelectionError(f"{token!r}: empty rule selector")
        if not any(_matches(rule, token) for rule in rules):
            raise SelectionError(f"{token!r} matches no rule code, prefix, name or category")
    chosen = [
        r for r in rules if any(_matches(r, t) for t in (*(select or ["ALL"]), *extend_select))
    ]
    return [r for r in chosen if not any(_matches(r, t) for t in ignore)]


class Baseline:
    """Findings recorded on a legacy suite: fingerprints (rule, path and the flagged
    line's code with whitespace normalised, never its number) with counts."""

    VERSION = 1

    def __init__(self, counts: Counter[str]) -> None:
        self.counts = counts

    @staticmethod
    def fingerprint(finding: Finding, line_text: str) -> str:
        code = " ".join(line_text.split())
        raw = f"{finding.rule}\0{finding.path}\0{code}"
        return hashlib.sha256(raw.encode()).hexdigest()[:20]

    @classmethod
    def read(cls, path: Path) -> Baseline:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            counts = Counter({str(k): int(v) for k, v in data["fingerprints"].items()})
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise SelectionError(f"{path}: not a test-auditor baseline ({exc})") from exc
        return cls(counts)

    def render(self) -> str:
        return (
            json.dumps(
                {"version": self.VERSION, "fingerprints": dict(sorted(self.counts.items()))},
                indent=2,
            )
            + "\n"
        )


class _Lines:
    """Source lines of files by relative path, for noqa and fingerprints (the text
    the rules already read when there is one)."""

    def __init__(self, view: SuiteView) -> None:
        self.view = view
        self.cache: dict[str, list[str]] = {}
        self.file_codes: dict[str, list[set[str] | None]] = {}

    def __call__(self, path: str) -> list[str]:
        if path not in self.cache:
            self.cache[path] = self.view.text(path).splitlines()
        return self.cache[path]

    def file_noqa(self, path: str, code: str) -> bool:
        """Whether a ``# test-auditor: noqa[: CODES]`` line in the file covers `code`."""
        if path not in self.file_codes:
            text = "\n".join(self(path))
            self.file_codes[path] = [_codes(m) for m in FILE_NOQA.finditer(text)]
        return any(codes is None or code in codes for codes in self.file_codes[path])

    def line(self, path: str, number: int) -> str:
        lines = self(path)
        return lines[number - 1] if 0 < number <= len(lines) else ""


def _codes(match: re.Match[str]) -> set[str] | None:
    codes = match.group("codes")
    return None if codes is None else {c.strip().upper() for c in codes.split(",")}


def _suppressed(finding: Finding, lines: _Lines) -> bool:
    line_match = NOQA.search(lines.line(finding.path, finding.line))
    if line_match is not None:
        codes = _codes(line_match)
        if codes is None or finding.rule in codes:
            return True
    return lines.file_noqa(finding.path, finding.rule)


def _ignored_here(finding: Finding, settings: AuditorSettings) -> bool:
    for pattern, codes in settings.per_file_ignores:
        if fnmatch.fnmatch(finding.path, pattern) and any(
            finding.rule.startswith(c.upper()) or c.upper() == "ALL" for c in codes
        ):
            return True
    return False


def _overrides(rules: Iterable[type[Rule]], settings: AuditorSettings) -> dict[str, Severity]:
    levels: dict[str, Severity] = {}
    for rule in rules:
        for token, level in settings.severity:
            if _matches(rule, token):
                levels[rule.code] = Severity(level)
    return levels


def _overrides_method(rule: Rule, name: str) -> bool:
    return getattr(type(rule), name) is not getattr(Rule, name)


def run_rules(
    view: SuiteView,
    rules: Sequence[type[Rule]],
    *,
    settings: AuditorSettings,
    report_paths: frozenset[str] | None = None,
    baseline: Baseline | None = None,
    cache_dir: Path | None = None,
    jobs: int | None = None,
) -> RunResult:
    """Findings of `rules` located in `report_paths` (every file when None); with a
    `cache_dir`, rule results are reused per file when nothing they read changed
    (`auditor.lint.rule_cache`). The per-file rules of many files run in `jobs` worker
    processes (default: one per core; `auditor.lint.file_pass`).

    The garbage collector is paused meanwhile: the `ast` trees of every file stay alive
    for the run, and with millions of live nodes each collection walks them all (on
    sympy's 604 test files, parsing took 18 s with collections and 3 s without)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        cache = None
        if cache_dir is not None:
            from auditor.lint.rule_cache import RuleCache

            cache = RuleCache(cache_dir, view, rules)
        result = _run_rules(
            view,
            rules,
            settings=settings,
            report_paths=report_paths,
            baseline=baseline,
            cache=cache,
            jobs=jobs,
        )
        if cache is not None:
            cache.save(keep_others=view.partial)
        return result
    finally:
        if enabled:
            gc.enable()


def _run_rules(
    view: SuiteView,
    rules: Sequence[type[Rule]],
    *,
    settings: AuditorSettings,
    report_paths: frozenset[str] | None,
    baseline: Baseline | None,
    cache: RuleCache | None = None,
    jobs: int | None = None,
) -> RunResult:
    findings: list[Finding] = []
    errors: list[RuleError] = []
    instances = [rule() for rule in rules if not (view.partial and rule.whole_suite)]
    suite = view.suite
    # per-file rules read test modules, conftests and the project's fixture modules; files
    # pytest does not collect (the code under test beside them) only when named
    files = sorted(report_paths if report_paths is not None else suite.modules)
    evaluated = reused = 0
    for rule in instances:
        if _overrides_method(rule, "check"):
            stored = cache.suite_results(type(rule)) if cache is not None else None
            if stored is not None:
                findings.extend(stored)
                reused += 1
                continue
            try:
                found = list(rule.check(view))
            except Exception as exc:  # a broken rule is reported, the run goes on
                errors.append(RuleError(rule.code, "", repr(exc), traceback.format_exc()))
                continue
            findings.extend(found)
            if cache is not None:
                cache.store_suite(type(rule), found)
    file_rules = [r for r in instances if _overrides_method(r, "check_file")]
    work: list[tuple[str, list[Rule]]] = []
    for path in files if file_rules else ():
        todo = file_rules
        if cache is not None:
            todo = []
            for rule in file_rules:
                stored = cache.file_results(path, rule)
                if stored is None:
                    todo.append(rule)
                else:
                    findings.extend(stored)
                    reused += 1
        if todo:
            work.append((path, todo))
    by_code = {type(rule).code: type(rule) for rule in file_rules}
    for outcome in check_files(view, work, jobs=jobs):
        evaluated += 1
        if outcome.crash is not None:
            errors.append(RuleError(outcome.code, outcome.path, *outcome.crash))
            continue
        findings.extend(outcome.findings)
        if cache is not None:
            cache.store_file(outcome.path, by_code[outcome.code], outcome.findings, outcome.asked)
    if report_paths is not None:
        findings = [f for f in findings if f.path in report_paths]
    lines = _Lines(view)
    levels = _overrides(rules, settings)
    kept: list[Finding] = []
    suppressed = 0
    for finding in sorted(set(findings), key=_order):
        if _ignored_here(finding, settings) or _suppressed(finding, lines):
            suppressed += 1
            continue
        level = levels.get(finding.rule)
        kept.append(replace(finding, severity=level) if level else finding)
    baselined = 0
    if baseline is not None:
        kept, baselined = _after_baseline(kept, baseline, lines)
    return RunResult(tuple(kept), tuple(errors), suppressed, baselined, evaluated, reused)


def _order(finding: Finding) -> tuple[str, int, int, str, str]:
    return (finding.path, finding.line, finding.col, finding.rule, finding.message)


def _after_baseline(
    findings: list[Finding], baseline: Baseline, lines: _Lines
) -> tuple[list[Finding], int]:
    remaining = Counter(baseline.counts)
    kept: list[Finding] = []
    for finding in findings:
        key = Baseline.fingerprint(finding, lines.line(finding.path, finding.line))
        if remaining[key] > 0:
            remaining[key] -= 1
        else:
            kept.append(finding)
    return kept, len(findings) - len(kept)


def fingerprints(findings: Iterable[Finding], view: SuiteView) -> dict[Finding, str]:
    """Line-independent fingerprints (for baselines and SARIF partialFingerprints)."""
    lines = _Lines(view)
    return {f: Baseline.fingerprint(f, lines.line(f.path, f.line)) for f in findings}


def make_baseline(findings: Iterable[Finding], view: SuiteView) -> Baseline:
    return Baseline(Counter(fingerprints(findings, view).values()))


def fails(findings: Iterable[Finding], fail_on: str) -> bool:
    """Whether any finding is at least as severe as `fail_on`."""
    threshold = Severity(fail_on).rank
    return any(f.severity.rank >= threshold for f in findings)
