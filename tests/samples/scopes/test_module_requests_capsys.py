"""A module-scoped fixture requests ``capsys`` directly (no ``request`` involved).

pytest: ERROR (ScopeMismatch) for the test that requests ``quiet_logger``.
"""

import pytest


@pytest.fixture(scope="module")
def quiet_logger(capsys):  # module -> function (builtin): ScopeMismatch
    def log(message):
        print(message)

    return log


def test_logger_prints(quiet_logger):  # ERROR
    quiet_logger("hello")


def test_capsys_in_a_test(capsys):  # passes
    print("hello")
    assert capsys.readouterr().out == "hello\n"
