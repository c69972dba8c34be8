"""Findings to and from plain JSON, for the rule cache: reading runs no code, every field
is checked against its type, and anything of another shape is an error the cache turns
into a miss."""

from __future__ import annotations

from auditor.types import Applicability, Finding, Fix, Severity


def encode_finding(finding: Finding) -> list[object] | None:
    """The finding as plain data; None when some value would not come back the same."""
    fix: list[object] | None = None
    if finding.fix is not None:
        options: list[list[object]] = []
        for key, value in finding.fix.options:
            if type(key) is not str or type(value) not in (str, int):
                return None
            options.append([key, value])
        fix = [
            int(finding.fix.applicability),
            finding.fix.title,
            finding.fix.codemod,
            options,
            finding.fix.path,
        ]
    return [
        finding.rule,
        finding.name,
        finding.severity.value,
        finding.path,
        finding.line,
        finding.col,
        finding.message,
        fix,
    ]


class _Malformed(ValueError):
    pass


def _text(value: object) -> str:
    if type(value) is not str:
        raise _Malformed("expected a string")
    return value


def _number(value: object) -> int:
    if type(value) is not int:
        raise _Malformed("expected an integer")
    return value


def decode_finding(data: object) -> Finding:
    """The finding `data` encodes; `ValueError` for anything else."""
    if not isinstance(data, list) or len(data) != 8:
        raise _Malformed("expected a finding")
    rule, name, severity, path, line, col, message, raw_fix = data
    fix = None
    if raw_fix is not None:
        if not isinstance(raw_fix, list) or len(raw_fix) != 5:
            raise _Malformed("expected a fix")
        applicability, title, codemod, raw_options, fix_path = raw_fix
        if not isinstance(raw_options, list):
            raise _Malformed("expected fix options")
        options: list[tuple[str, str | int]] = []
        for option in raw_options:
            if not isinstance(option, list) or len(option) != 2:
                raise _Malformed("expected a fix option")
            key, value = option
            if type(value) not in (str, int):
                raise _Malformed("expected a string or an integer")
            options.append((_text(key), value))
        fix = Fix(
            Applicability(_number(applicability)),
            _text(title),
            _text(codemod),
            tuple(options),
            _text(fix_path),
        )
    return Finding(
        _text(rule),
        _text(name),
        Severity(_text(severity)),
        _text(path),
        _number(line),
        _number(col),
        _text(message),
        fix,
    )


def decode_findings(data: object) -> tuple[Finding, ...] | None:
    if not isinstance(data, list):
        return None
    try:
        return tuple(decode_finding(item) for item in data)
    except (ValueError, TypeError):  # _Malformed, and a bad enum value
        return None
