from pathlib import Path

CANARY = Path(__file__).with_name("canary.txt")


def test_greeting(greeting):
    assert greeting == "hello"


def test_conftest_was_imported_and_removed_the_canary():
    assert not CANARY.exists()
