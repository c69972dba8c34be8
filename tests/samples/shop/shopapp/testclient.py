"""TestClient with the same surface as fastapi.testclient.TestClient."""

from __future__ import annotations

from typing import Any

from shopapp.web import FastAPI, Request, Response


class TestClient:
    __test__ = False  # not a test class, even though the name starts with "Test"

    def __init__(self, app: FastAPI, headers: dict[str, str] | None = None) -> None:
        self.app = app
        self.headers = dict(headers or {})

    def request(self, method: str, path: str, json: Any = None,
                headers: dict[str, str] | None = None) -> Response:
        merged = {**self.headers, **(headers or {})}
        return self.app.handle(Request(method, path, merged, json))

    def get(self, path: str, **kw: Any) -> Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Response:
        return self.request("POST", path, **kw)

    def delete(self, path: str, **kw: Any) -> Response:
        return self.request("DELETE", path, **kw)

    def __enter__(self) -> "TestClient":
        return self

    def __exit__(self, *exc: object) -> None:
        pass
