"""Record what ``check`` said on each labelled suite when the labels were written.

The finding labels in ``benchmarks/labels/*.toml`` judge findings of ``check`` as it was at
the labelling commit (``LABEL_COMMIT``), keyed by rule, path and line. Since then a
finding at the same place may make another claim (a duplicate rule naming another
partner, a message that no longer advises what the label objected to); judging the new
claim by the old verdict would score what nobody judged. This script installs the
labelling commit in a temporary virtualenv, runs its ``check`` on each suite and writes
the findings (rule, path, line, message) to ``benchmarks/labels/<suite>.labelled.json``,
which ``benchmarks.evaluate`` reads to tell which of today's findings a label judges.
These files are tool output, not labels: writing them reads no verdict. Run once::

    .venv/bin/python -m benchmarks.label_time_findings [--real-dir /work/real]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import venv
from collections.abc import Sequence
from pathlib import Path

from benchmarks.evaluate import DEFAULT_REAL_DIR, LABELS_DIR, find_root, load_labels

LABEL_COMMIT = "69a4a7a"
"""The commit that added the labels; its analyses are the ones the labels judged."""

REPOSITORY = Path(__file__).resolve().parent.parent


def labelled_path(labels_dir: Path, name: str) -> Path:
    """Where the label-time findings of the suite ``name`` (``dist-version``) are kept."""
    return labels_dir / f"{name}.labelled.json"


def install_commit(commit: str, into: Path) -> Path:
    """A virtualenv under ``into`` with test-auditor at ``commit`` installed; its python."""
    source = into / "source"
    subprocess.run(
        ["git", "-C", str(REPOSITORY), "worktree", "add", "--detach", str(source), commit],
        check=True,
        capture_output=True,
    )
    try:
        venv.create(into / "venv", with_pip=True)
        python = into / "venv" / "bin" / "python"
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", str(source)],
            check=True,
            capture_output=True,
        )
    finally:
        subprocess.run(
            ["git", "-C", str(REPOSITORY), "worktree", "remove", "--force", str(source)],
            check=True,
            capture_output=True,
        )
    return python


def check_findings(python: Path, root: Path) -> list[dict[str, object]]:
    """``check --format json`` of the installed commit on one suite, reduced to the claims."""
    done = subprocess.run(
        [str(python), "-m", "auditor", "check", "--no-cache", "--format", "json"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode not in (0, 1):
        raise SystemExit(f"check failed on {root} (exit {done.returncode}): {done.stderr[-500:]}")
    return [
        {"rule": f["rule"], "path": f["path"], "line": f["line"], "message": f["message"]}
        for f in json.loads(done.stdout)
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--labels", type=Path, default=LABELS_DIR)
    parser.add_argument("--real-dir", type=Path, default=DEFAULT_REAL_DIR)
    parser.add_argument("--commit", default=LABEL_COMMIT)
    args = parser.parse_args(argv)
    label_files = [load_labels(path) for path in sorted(args.labels.glob("*.toml"))]
    with tempfile.TemporaryDirectory(prefix="ta-label-commit-") as tmp:
        python = install_commit(args.commit, Path(tmp))
        for labels in label_files:
            root = find_root(labels, {}, args.real_dir)
            if root is None:
                print(f"{labels.name}: sdist not found under {args.real_dir}", file=sys.stderr)
                return 2
            findings = check_findings(python, root)
            out = labelled_path(args.labels, labels.name)
            out.write_text(json.dumps(findings, indent=0) + "\n", encoding="utf-8")
            print(f"{labels.name}: {len(findings)} findings -> {out.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
