from leakapp.payments import get_provider


def test_refund_through_stripe():
    provider = get_provider("stripe")
    assert provider.refund("ch_test_1", 5.0)["status"] == "refunded"
