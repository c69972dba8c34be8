"""SARIF 2.1.0 output for code-scanning services (GitHub, Azure DevOps, IDEs)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from auditor import __version__
from auditor.api import Rule
from auditor.types import Finding, Severity

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _rule_descriptor(rule: type[Rule]) -> dict[str, Any]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary() or rule.name},
        "fullDescription": {"text": rule.documentation() or rule.name},
        "help": {"text": rule.documentation() or rule.name, "markdown": rule.documentation()},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {"category": rule.category},
    }


def render_sarif(
    findings: Sequence[Finding],
    rules: Sequence[type[Rule]],
    rootdir: Path,
    fingerprints: Mapping[Finding, str],
) -> str:
    index = {rule.code: i for i, rule in enumerate(rules)}
    results = []
    for finding in findings:
        result: dict[str, Any] = {
            "ruleId": finding.rule,
            "level": _LEVEL[finding.severity],
            "message": {"text": finding.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": finding.path, "uriBaseId": "SRCROOT"},
                        "region": {"startLine": finding.line, "startColumn": finding.col + 1},
                    }
                }
            ],
        }
        if finding.rule in index:
            result["ruleIndex"] = index[finding.rule]
        if finding in fingerprints:
            result["partialFingerprints"] = {"testAuditor/v1": fingerprints[finding]}
        results.append(result)
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "test-auditor",
                        "version": __version__,
                        "informationUri": "https://pypi.org/project/test-auditor/",
                        "rules": [_rule_descriptor(rule) for rule in rules],
                    }
                },
                "originalUriBaseIds": {"SRCROOT": {"uri": rootdir.resolve().as_uri() + "/"}},
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"
