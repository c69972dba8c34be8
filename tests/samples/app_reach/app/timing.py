"""A stopwatch for timing blocks of code."""

from time import perf_counter


class Stopwatch:
    def __init__(self):
        self.started = 0.0
        self.seconds = 0.0

    def __enter__(self):
        self.started = perf_counter()
        return self

    def __exit__(self, *exc_info):
        self.seconds = perf_counter() - self.started
        return False
