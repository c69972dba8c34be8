"""LoadProfile parsing (the profile strings the nightly load job is configured with)."""

import pytest

from tiersapp.loadprofile import LoadProfile


def test_parse_seconds_profile():
    profile = LoadProfile.parse("50rps/30s")
    assert profile == LoadProfile(rate=50, seconds=30)


def test_minutes_are_converted():
    assert LoadProfile.parse(" 200rps/2m ").seconds == 120


@pytest.mark.parametrize("text", ["", "50rps", "fast/30s", "50rps/30h"])
def test_garbage_is_rejected(text):
    with pytest.raises(ValueError, match="bad load profile"):
        LoadProfile.parse(text)


def test_total_requests():
    assert LoadProfile(rate=25, seconds=40).total_requests == 1000
