"""NOT collected: pytest's default python_files has "*_test.py", but this
sample's python_files replaces the defaults."""


def test_would_fail():
    assert False
