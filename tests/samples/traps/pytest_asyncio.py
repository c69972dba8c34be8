"""Local stand-in for the pytest-asyncio package, so this sample runs with
nothing but pytest installed. ``pytest_asyncio.fixture`` behaves like
``pytest.fixture``; ``async def`` fixtures are driven with ``asyncio.run`` so
pytest sees a plain (generator) function with the same signature."""

import asyncio
import functools
import inspect

import pytest


def _syncify(func):
    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        def run_coroutine(*args, **kwargs):
            return asyncio.run(func(*args, **kwargs))

        return run_coroutine
    if inspect.isasyncgenfunction(func):

        @functools.wraps(func)
        def run_async_generator(*args, **kwargs):
            agen = func(*args, **kwargs)
            loop = asyncio.new_event_loop()
            try:
                yield loop.run_until_complete(agen.__anext__())
                try:
                    loop.run_until_complete(agen.__anext__())
                except StopAsyncIteration:
                    pass
            finally:
                loop.close()

        return run_async_generator
    return func


def fixture(fixture_function=None, **kwargs):
    if fixture_function is not None:
        return pytest.fixture(_syncify(fixture_function), **kwargs)
    return lambda func: pytest.fixture(_syncify(func), **kwargs)
