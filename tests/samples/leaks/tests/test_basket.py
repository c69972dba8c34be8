from leakapp.basket import price_basket

LINES = [(2, 25.0), (1, 50.0)]


def test_basket_total_without_coupon():
    assert price_basket(LINES) == 100.0


def test_welcome_coupon_takes_ten_percent_off():
    assert price_basket(LINES, coupon="WELCOME10") == 90.0


def test_empty_basket_costs_nothing():
    assert price_basket([]) == 0
