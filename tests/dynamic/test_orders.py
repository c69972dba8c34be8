"""Orders: reproducible shuffles that keep modules and classes together, targeted order."""

from __future__ import annotations

import pytest

from auditor.dynamic.probes import Change
from auditor.dynamic.runner import orders

TESTS = [
    "tests/test_a.py::test_1",
    "tests/test_a.py::test_2",
    "tests/test_a.py::TestX::test_3",
    "tests/test_a.py::TestX::test_4",
    "tests/test_b.py::test_5",
    "tests/test_b.py::test_6[1]",
    "tests/test_b.py::test_6[2]",
    "tests/test_c.py::test_7",
]


@pytest.mark.parametrize("mode", orders.MODES)
def test_a_seed_gives_the_same_permutation_every_time(mode):
    first = orders.shuffled(TESTS, 42, mode)
    assert first == orders.shuffled(TESTS, 42, mode)
    assert sorted(first) == sorted(TESTS)
    assert any(orders.shuffled(TESTS, seed, mode) != first for seed in range(1, 10))


def test_shuffling_by_module_keeps_each_module_in_order():
    for seed in range(10):
        order = orders.shuffled(TESTS, seed, "module")
        for module in ("tests/test_a.py", "tests/test_b.py"):
            inside = [n for n in order if n.startswith(module)]
            assert inside == [n for n in TESTS if n.startswith(module)]
            positions = [order.index(n) for n in inside]
            assert positions == list(range(positions[0], positions[0] + len(inside)))


def test_shuffling_by_class_keeps_a_class_together():
    for seed in range(10):
        order = orders.shuffled(TESTS, seed, "class")
        start = order.index("tests/test_a.py::TestX::test_3")
        assert order[start + 1] == "tests/test_a.py::TestX::test_4"


def test_unknown_mode_is_an_error():
    with pytest.raises(ValueError, match="unknown shuffle mode"):
        orders.shuffled(TESTS, 1, "file")


def test_targeted_order_puts_undoers_first_then_leakers_then_the_rest():
    leaked = {
        TESTS[1]: (Change("environ", "os.environ['X']", None, "'1'"),),
        TESTS[4]: (Change("environ", "os.environ['X']", "'1'", None),),
        TESTS[6]: (Change("globals", "app.RATE", "1", "2"),),
    }
    order = orders.targeted(TESTS, leaked)
    assert order[:3] == [TESTS[4], TESTS[1], TESTS[6]]
    assert order[3:] == [n for n in TESTS if n not in (TESTS[1], TESTS[4], TESTS[6])]
    assert orders.reverters(TESTS, leaked) == [TESTS[4]]
