import warnings

from leakapp import checkout
from leakapp.compat import LegacyAPIWarning


def test_checkout_path_is_free_of_legacy_calls():
    # Escalate our own deprecations so a regression in checkout is loud.
    warnings.simplefilter("error", LegacyAPIWarning)
    assert checkout.order_total([(1, 3.0), (2, 1.5)]) == 6.0
