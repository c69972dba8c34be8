"""Calls of a function or method, recorded while it goes on working (for counts in tests)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


def record_calls(
    monkeypatch: pytest.MonkeyPatch,
    owner: object,
    attribute: str,
    pick: Callable[..., Any] = lambda *args: args[0],
) -> list[Any]:
    """Wrap ``owner.attribute`` so that each call, run as before, adds ``pick(*args)`` to
    the list returned (by default the first argument: ``self`` of a method)."""
    calls: list[Any] = []
    original = getattr(owner, attribute)

    def recording(*args: Any, **kwargs: Any) -> Any:
        calls.append(pick(*args))
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, attribute, recording)
    return calls
