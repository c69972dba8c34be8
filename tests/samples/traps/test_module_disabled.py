"""``__test__ = False`` at module level: nothing in this file is collected."""

__test__ = False


def test_would_fail():
    assert False


class TestWouldFail:
    def test_method(self):
        assert False
