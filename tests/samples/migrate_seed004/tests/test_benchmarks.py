"""benchmarks (timing)."""

import time

from medapp.utils import slugify


def test_slugify_speed():
    start = time.perf_counter()
    for _ in range(2000):
        slugify("Pulse Oximeter Model 7")
    assert time.perf_counter() - start < 2.0
