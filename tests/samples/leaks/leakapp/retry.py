"""Retry back-off for calls to the payment provider."""

import os


def jitter():
    """A fraction in [0, 1] from the OS entropy pool."""
    return os.urandom(1)[0] / 255


def base_delay(attempt, base=0.5):
    return base * 2**attempt


def backoff_delay(attempt, base=0.5):
    return base_delay(attempt, base) * (1 + jitter())
