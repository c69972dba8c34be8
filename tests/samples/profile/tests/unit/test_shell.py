from profapp import shell


def test_version_of_the_interpreter():
    assert shell.interpreter_version() == "3"
