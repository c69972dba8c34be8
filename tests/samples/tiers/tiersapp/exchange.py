"""Exchange rates from the rates service, for invoices in USD and GBP."""

from decimal import Decimal

import httpx

from tiersapp.pricing import round_money


class RateClient:
    def __init__(self, client: httpx.Client, cache: dict | None = None):
        self.client = client
        self.cache = cache if cache is not None else {}

    def get_rate(self, currency: str, base: str = "EUR") -> Decimal:
        key = f"{base}->{currency}"
        if key not in self.cache:
            response = self.client.get("/latest", params={"base": base, "symbols": currency})
            response.raise_for_status()
            self.cache[key] = Decimal(str(response.json()["rates"][currency]))
        return self.cache[key]


class AsyncRateClient:
    def __init__(self, client: httpx.AsyncClient):
        self.client = client

    async def get_rate(self, currency: str, base: str = "EUR") -> Decimal:
        response = await self.client.get("/latest", params={"base": base, "symbols": currency})
        response.raise_for_status()
        return Decimal(str(response.json()["rates"][currency]))


def convert(amount, rate) -> Decimal:
    return round_money(Decimal(amount) * Decimal(rate))
