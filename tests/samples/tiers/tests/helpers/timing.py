"""Timing helpers for the performance checks."""

import statistics
import time


class Stopwatch:
    def __init__(self):
        self.laps: list[float] = []
        self._started: float | None = None

    def __enter__(self):
        self._started = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.laps.append(time.perf_counter() - self._started)
        return False

    @property
    def total(self) -> float:
        return sum(self.laps)

    def report(self) -> None:
        if self.laps:
            print(f"{len(self.laps)} laps, median {statistics.median(self.laps) * 1000:.2f} ms")


def measure(fn, *args, repeat: int = 100, **kwargs) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn(*args, **kwargs)
        samples.append(time.perf_counter() - started)
    return samples


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]
