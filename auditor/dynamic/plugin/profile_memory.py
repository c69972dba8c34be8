"""The profile's ``peak_kb``: how far a test raised the resident memory above where it was when
the test started (its peak, not where it ended).

On Linux the kernel's high-water mark is reset before each test (``/proc/self/clear_refs``),
so every test gets its own peak; elsewhere it is the growth of the process's lifetime peak
(``ru_maxrss``), which only shows the tests that push the peak higher. tracemalloc would see
every allocation, at several times the cost. (The reset is visible to the process:
``ru_maxrss`` and ``VmHWM`` read by the suite itself give the peak since the current test
started, not since the process did.)
"""

from __future__ import annotations

import os
import resource
import sys


class Memory:
    """Peak resident memory per test: the kernel's high-water mark, reset before each test
    where Linux allows it, else the growth of ``ru_maxrss``."""

    def __init__(self) -> None:
        self.clear: int | None = None
        self.status: int | None = None
        self.statm: int | None = None
        """``/proc/self/statm``: the resident size, at a fifth of the cost of ``status``."""
        self.page_kb = 4
        if sys.platform.startswith("linux"):
            try:
                self.page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
                self.status = os.open("/proc/self/status", os.O_RDONLY | os.O_CLOEXEC)
                self.statm = os.open("/proc/self/statm", os.O_RDONLY | os.O_CLOEXEC)
                self.clear = os.open("/proc/self/clear_refs", os.O_WRONLY | os.O_CLOEXEC)
            except OSError:  # no permission to reset (a locked-down /proc): ru_maxrss
                self.close()
        self.scale = 1024 if sys.platform == "darwin" else 1
        """``ru_maxrss`` is in bytes on macOS, kilobytes elsewhere."""

    def start(self) -> int:
        """Reset the high-water mark; the resident size now (kB)."""
        if self.clear is not None and self.statm is not None:
            try:
                os.write(self.clear, b"5")
                return int(os.pread(self.statm, 128, 0).split()[1]) * self.page_kb
            except (OSError, ValueError, IndexError):
                self.clear = None
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // self.scale

    def peak_growth(self, start: int) -> int:
        """kB the peak rose above ``start``."""
        if self.clear is not None and self.status is not None:
            try:
                return max(0, self._status(b"VmHWM:") - start)
            except (OSError, ValueError):
                self.clear = None
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // self.scale
        return max(0, peak - start)

    def _status(self, field: bytes) -> int:
        assert self.status is not None
        data = os.pread(self.status, 8192, 0)
        start = data.index(field) + len(field)
        return int(data[start : data.index(b"kB", start)])

    def close(self) -> None:
        for fd in (self.clear, self.status, self.statm):
            if fd is not None:
                os.close(fd)
        self.clear = self.status = self.statm = None
