from leakapp.retry import backoff_delay, base_delay


def test_base_delay_grows_exponentially():
    assert [base_delay(n) for n in range(4)] == [0.5, 1.0, 2.0, 4.0]


def test_backoff_stays_within_budget():
    # The payment SLA allows 3.2 s before the third retry.
    assert backoff_delay(2) <= 3.2
