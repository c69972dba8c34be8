"""The working directory: an ``os.chdir`` that is not undone.

Example: ``os.chdir("build")`` in a test leaves ``os.getcwd() = 'build' (was '.')``, and every
later test that opens a relative path opens the wrong file.
"""

from __future__ import annotations

import os
from pathlib import Path

from auditor.dynamic.probes import ProbeContext, Snapshot, short


class CwdProbe:
    name = "cwd"

    def __init__(self, rootdir: Path) -> None:
        self.rootdir = rootdir
        self._cwd = ""
        self._last: Snapshot = {}

    def snapshot(self) -> Snapshot:
        """The last snapshot itself while the folder is the same."""
        try:
            folder = os.getcwd()
        except FileNotFoundError:
            return {"os.getcwd()": "(deleted directory)"}
        if folder == self._cwd:
            return self._last
        cwd = Path(folder)
        try:
            shown = cwd.relative_to(self.rootdir).as_posix()
        except ValueError:
            shown = str(cwd)
        self._cwd, self._last = folder, {"os.getcwd()": short(repr(shown))}
        return self._last


def factory(context: ProbeContext) -> CwdProbe:
    return CwdProbe(context.rootdir)
