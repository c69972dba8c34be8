"""A miniature FastAPI look-alike: routes, Depends, HTTPException and
``app.dependency_overrides`` with the same semantics as FastAPI's."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field
from typing import Any, Callable


class HTTPException(Exception):
    def __init__(self, status_code: int, detail: str = "") -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail


class Depends:
    def __init__(self, dependency: Callable[..., Any]) -> None:
        self.dependency = dependency


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    json: Any = None


@dataclass
class Response:
    status_code: int
    body: Any

    def json(self) -> Any:
        return self.body


@dataclass
class Route:
    method: str
    pattern: re.Pattern[str]
    endpoint: Callable[..., Any]
    status_code: int


class FastAPI:
    def __init__(self, title: str = "app", version: str = "0") -> None:
        self.title = title
        self.version = version
        self.routes: list[Route] = []
        self.dependency_overrides: dict[Callable[..., Any], Callable[..., Any]] = {}

    def _add(self, method: str, path: str, status_code: int) -> Callable[..., Any]:
        regex = "^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path) + "$"

        def decorator(endpoint: Callable[..., Any]) -> Callable[..., Any]:
            self.routes.append(Route(method, re.compile(regex), endpoint, status_code))
            return endpoint

        return decorator

    def get(self, path: str, status_code: int = 200) -> Callable[..., Any]:
        return self._add("GET", path, status_code)

    def post(self, path: str, status_code: int = 200) -> Callable[..., Any]:
        return self._add("POST", path, status_code)

    def delete(self, path: str, status_code: int = 204) -> Callable[..., Any]:
        return self._add("DELETE", path, status_code)

    # -- request handling -------------------------------------------------

    def _call(self, func: Callable[..., Any], request: Request, path_params: dict[str, str],
              cleanups: list[Any], cache: dict[Any, Any]) -> Any:
        kwargs: dict[str, Any] = {}
        for name, param in inspect.signature(func).parameters.items():
            if isinstance(param.default, Depends):
                dep = self.dependency_overrides.get(param.default.dependency,
                                                    param.default.dependency)
                if dep not in cache:
                    value = self._call(dep, request, path_params, cleanups, cache)
                    if inspect.isgenerator(value):
                        gen = value
                        value = next(gen)
                        cleanups.append(gen)
                    cache[dep] = value
                kwargs[name] = cache[dep]
            elif name == "request":
                kwargs[name] = request
            elif name == "payload":
                kwargs[name] = request.json or {}
            elif name in path_params:
                raw = path_params[name]
                kwargs[name] = int(raw) if param.annotation in (int, "int") else raw
        return func(**kwargs)

    def handle(self, request: Request) -> Response:
        for route in self.routes:
            match = route.pattern.match(request.path)
            if match and route.method == request.method:
                cleanups: list[Any] = []
                try:
                    result = self._call(route.endpoint, request, match.groupdict(), cleanups, {})
                    return Response(route.status_code, result)
                except HTTPException as exc:
                    return Response(exc.status_code, {"detail": exc.detail})
                finally:
                    for gen in reversed(cleanups):
                        gen.close()
        return Response(404, {"detail": "Not Found"})
