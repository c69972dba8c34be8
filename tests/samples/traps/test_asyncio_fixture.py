"""``@pytest_asyncio.fixture`` (here the local pytest_asyncio.py shim)."""

import asyncio

import pytest_asyncio


@pytest_asyncio.fixture
async def async_token():
    await asyncio.sleep(0)
    return "token-123"


@pytest_asyncio.fixture(scope="function")
async def async_connection(async_token):
    connection = {"token": async_token, "open": True}
    yield connection
    connection["open"] = False


def test_async_fixtures(async_connection):
    assert async_connection == {"token": "token-123", "open": True}
