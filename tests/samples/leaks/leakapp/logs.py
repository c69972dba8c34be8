"""Logging set-up for the CLI and the server."""

import logging

LOGGER_NAME = "leakapp"


def configure_logging(verbose=False):
    logging.getLogger(LOGGER_NAME).setLevel(logging.DEBUG if verbose else logging.INFO)
    return logging.getLogger(LOGGER_NAME)
