from leakapp import config
from leakapp.ratelimit import RateLimiter


def test_burst_of_ten_requests_is_allowed():
    limiter = RateLimiter()
    assert all(limiter.allow("203.0.113.7") for _ in range(10))


def test_requests_over_the_limit_are_rejected():
    config.RATE_LIMIT_PER_MINUTE = 3  # small limit keeps the test fast
    limiter = RateLimiter()
    assert [limiter.allow("203.0.113.7") for _ in range(4)] == [True, True, True, False]
