"""chunked (unit)."""

from medapp.utils import chunked


def test_chunks_of_two():
    assert chunked([1, 2, 3], 2) == [[1, 2], [3]]


def test_empty():
    assert chunked([], 3) == []
