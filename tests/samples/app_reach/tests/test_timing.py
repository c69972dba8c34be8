from app.pricing import total
from app.timing import Stopwatch


def test_total_is_fast():
    with Stopwatch() as sw:
        for _ in range(1000):
            total([1.0, 2.0, 3.0])
    assert sw.seconds < 2


def test_total_throughput():
    count = 5000
    with Stopwatch() as sw:
        for _ in range(count):
            total([1.0, 2.0])
    took = sw.seconds
    per_second = count / took
    assert per_second > 1000


def test_total_applies_the_discount():
    assert total([10.0, 10.0], discount=0.5) == 10.0
