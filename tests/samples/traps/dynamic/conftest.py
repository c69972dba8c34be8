"""Fixtures created in a loop at import time.

pytest sees ``alpha``, ``beta`` and ``gamma`` (they end up in the module's
namespace); a static reader cannot know their names without executing this.
dynamic/ has no __init__.py on purpose (rootdir-relative conftest).
"""

import pytest

RATES = {"alpha": 1, "beta": 2, "gamma": 3}

for _name, _value in RATES.items():

    def _make(value=_value):
        return value

    globals()[_name] = pytest.fixture(_make, name=_name)
