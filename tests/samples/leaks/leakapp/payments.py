"""Payment providers, registered by name (normally at application start-up)."""

PROVIDERS = {}


class UnknownProvider(LookupError):
    pass


def register_provider(name, provider_cls):
    PROVIDERS[name] = provider_cls


def get_provider(name):
    try:
        return PROVIDERS[name]()
    except KeyError:
        raise UnknownProvider(name) from None


class StripeProvider:
    """Offline stand-in for the Stripe client."""

    name = "stripe"

    def charge(self, amount):
        return {"id": "ch_test_1", "status": "succeeded", "amount": amount}

    def refund(self, charge_id, amount):
        return {"charge": charge_id, "status": "refunded", "amount": amount}
