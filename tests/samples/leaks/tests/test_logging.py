import logging

from leakapp import db as leakdb
from leakapp.logs import configure_logging


def test_sql_echo_is_off_by_default():
    assert not leakdb.sql_echo_enabled()


def test_verbose_flag_enables_debug_logging():
    logger = configure_logging(verbose=True)
    assert logger.isEnabledFor(logging.DEBUG)
