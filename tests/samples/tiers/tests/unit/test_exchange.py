"""Exchange-rate client."""

from decimal import Decimal

import httpx
import pytest
import respx

from tiersapp.exchange import AsyncRateClient, RateClient, convert

RATES_URL = "https://rates.tiers.example/v2"


@respx.mock
def test_rate_lookup_with_respx():
    route = respx.get(f"{RATES_URL}/latest").mock(
        return_value=httpx.Response(200, json={"rates": {"USD": 1.0845}})
    )
    rates = RateClient(httpx.Client(base_url=RATES_URL))
    assert rates.get_rate("USD") == Decimal("1.0845")
    assert route.called
    assert route.calls.last.request.url.params["base"] == "EUR"


def test_second_lookup_served_from_cache():
    calls = []

    def handler(request):
        calls.append(request)
        return httpx.Response(200, json={"rates": {"GBP": 0.8561}})

    rates = RateClient(httpx.Client(transport=httpx.MockTransport(handler), base_url=RATES_URL))
    rates.get_rate("GBP")
    rates.get_rate("GBP")
    assert len(calls) == 1


def test_live_rates_service_answers():
    # smoke check against the staging rates service
    with httpx.Client(base_url=RATES_URL, timeout=5) as http:
        rate = RateClient(http).get_rate("USD")
    assert Decimal("0.5") < rate < Decimal("2")


async def test_async_rate_with_httpx_mock(httpx_mock):
    httpx_mock.add_response(url=f"{RATES_URL}/latest?base=EUR&symbols=CHF", json={"rates": {"CHF": 0.9412}})
    async with httpx.AsyncClient(base_url=RATES_URL) as http:
        rate = await AsyncRateClient(http).get_rate("CHF")
    assert rate == Decimal("0.9412")


@pytest.mark.parametrize(
    ("amount", "rate", "expected"), [("100", "1.0845", "108.45"), ("19.99", "0.8561", "17.11")]
)
def test_convert_rounds_to_cents(amount, rate, expected):
    assert convert(Decimal(amount), rate) == Decimal(expected)
