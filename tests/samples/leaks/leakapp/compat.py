"""Deprecated entry points kept for old API clients."""

import warnings

from leakapp import checkout


class LegacyAPIWarning(DeprecationWarning):
    """Raised for calls into the v1 API surface."""


def legacy_order_total(lines):
    warnings.warn(
        "legacy_order_total() is deprecated, use checkout.order_total()",
        LegacyAPIWarning,
        stacklevel=2,
    )
    return checkout.order_total(lines)
