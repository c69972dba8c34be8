"""Asks the interpreter for its version, the way a CLI wrapper would."""

from __future__ import annotations

import subprocess
import sys


def interpreter_version() -> str:
    done = subprocess.run(
        [sys.executable, "-c", "import sys; print(sys.version_info[0])"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()
