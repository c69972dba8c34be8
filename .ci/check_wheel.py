"""Fail when a file of the source tree that must ship is missing from the built wheel.

    python .ci/check_wheel.py dist/test_auditor-*.whl

The engine is ``auditor/`` and the rule catalog ``rules/``, which ships as ``auditor.rules``;
every ``.py``, ``.toml``, ``.json``, ``py.typed`` and HTML report asset (``.css``,
``.js``) file under them must be in the wheel at
that place. (A package left out of ``[tool.setuptools] packages`` built a wheel whose
``scan`` crashed on import.)
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = {"auditor": "auditor", "rules": "auditor/rules"}
SUFFIXES = {".py", ".toml", ".json", ".typed", ".css", ".js"}


def expected() -> set[str]:
    names = set()
    for folder, target in SHIPPED.items():
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and path.suffix in SUFFIXES and "__pycache__" not in path.parts:
                names.add(f"{target}/{path.relative_to(ROOT / folder).as_posix()}")
    return names


def main(wheel: str) -> int:
    with zipfile.ZipFile(wheel) as archive:
        shipped = set(archive.namelist())
    missing = sorted(expected() - shipped)
    for name in missing:
        print(f"missing from {Path(wheel).name}: {name}", file=sys.stderr)
    print(
        f"{Path(wheel).name}: {len(expected()) - len(missing)} source files shipped, "
        f"{len(missing)} missing"
    )
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
