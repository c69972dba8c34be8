"""Performance fixtures. These tests run in the nightly job (``-m "performance or benchmark or load"``)."""

import pytest

from tests.helpers.timing import Stopwatch
from tests.utils.factories import usage_log


@pytest.fixture
def stopwatch():
    watch = Stopwatch()
    yield watch
    watch.report()


@pytest.fixture(scope="module")
def big_usage_log():
    return usage_log(customer_id=7, days=365, units_per_day=1_200)
