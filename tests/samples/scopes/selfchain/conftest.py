"""``store`` is redefined at every level below, each time requesting itself
(``def store(store)``) with a different scope. The chain a test sees depends
on where the test lives.

    selfchain/conftest.py                          store            session
    selfchain/narrower/conftest.py                 store(store)     module   -> session   fine
    selfchain/narrower/wider_again/conftest.py     store(store)     session  -> module    ScopeMismatch
    selfchain/function_level/conftest.py           store(store)     function -> session   fine
    selfchain/function_level/test_selfchain_module_over_function.py
                                                   store(store)     module   -> function  ScopeMismatch
"""

import pytest


@pytest.fixture(scope="session")
def store():
    return ["session"]
