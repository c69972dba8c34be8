def test_dynamic_fixtures(alpha, beta, gamma):
    assert (alpha, beta, gamma) == (1, 2, 3)
