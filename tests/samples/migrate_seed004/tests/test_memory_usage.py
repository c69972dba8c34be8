"""memory usage (timing)."""

import time

from medapp.utils import chunked


def test_chunking_large_lists_is_quick():
    start = time.perf_counter()
    chunked(list(range(100_000)), 7)
    assert time.perf_counter() - start < 2.0
