"""Timestamps as shown on invoices and in the back office."""

import time


def local_stamp(epoch_seconds):
    return time.strftime("%Y-%m-%d %H:%M %Z", time.localtime(epoch_seconds))
