from leakapp.payments import StripeProvider, get_provider, register_provider


def test_register_stripe_provider():
    register_provider("stripe", StripeProvider)
    assert get_provider("stripe").charge(10.0)["status"] == "succeeded"
