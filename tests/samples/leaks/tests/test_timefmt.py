import os
import time

from leakapp.timefmt import local_stamp


def test_stamps_use_server_timezone():
    assert local_stamp(0) == "1970-01-01 00:00 UTC"


def test_tokyo_store_shows_local_time():
    os.environ["TZ"] = "JST-9"
    time.tzset()
    assert local_stamp(0) == "1970-01-01 09:00 JST"
