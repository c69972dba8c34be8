"""A tiny stand-in for the parts of FastAPI/Starlette this service uses.

Same names and call shapes: ``App.get`` route decorators, ``Depends``,
``HTTPException``, ``app.dependency_overrides``, ``app.add_middleware`` /
``app.user_middleware`` and a ``TestClient``. Everything is synchronous.
"""

import inspect
import json
from dataclasses import dataclass, field


class HTTPException(Exception):
    def __init__(self, status_code, detail=None):
        super().__init__(status_code, detail)
        self.status_code = status_code
        self.detail = detail


class Depends:
    def __init__(self, dependency):
        self.dependency = dependency


@dataclass
class Request:
    method: str
    path: str
    headers: dict = field(default_factory=dict)


@dataclass
class Response:
    status_code: int
    body: bytes = b""
    headers: dict = field(default_factory=dict)

    def json(self):
        return json.loads(self.body)


def JSONResponse(content, status_code=200):
    return Response(
        status_code=status_code,
        body=json.dumps(content).encode(),
        headers={"content-type": "application/json"},
    )


class Middleware:
    def __init__(self, cls, **options):
        self.cls = cls
        self.options = options


class App:
    def __init__(self, title="app"):
        self.title = title
        self.routes = {}
        self.dependency_overrides = {}
        self.user_middleware = []
        self.exception_handlers = {}

    # -- registration ---------------------------------------------------
    def get(self, path):
        def decorator(func):
            self.routes[("GET", path)] = func
            return func

        return decorator

    def exception_handler(self, exc_class):
        def decorator(func):
            self.exception_handlers[exc_class] = func
            return func

        return decorator

    def add_middleware(self, middleware_class, **options):
        # Starlette puts the newest middleware outermost.
        self.user_middleware.insert(0, Middleware(middleware_class, **options))

    # -- request handling -------------------------------------------------
    def _solve(self, func, request):
        kwargs = {}
        for name, param in inspect.signature(func).parameters.items():
            if isinstance(param.default, Depends):
                dependency = self.dependency_overrides.get(
                    param.default.dependency, param.default.dependency
                )
                kwargs[name] = dependency(**self._solve(dependency, request))
            elif name == "request":
                kwargs[name] = request
        return kwargs

    def _dispatch(self, request):
        endpoint = self.routes.get((request.method, request.path))
        if endpoint is None:
            return JSONResponse({"detail": "Not Found"}, 404)
        try:
            result = endpoint(**self._solve(endpoint, request))
        except HTTPException as exc:
            return JSONResponse({"detail": exc.detail}, exc.status_code)
        except Exception as exc:  # noqa: BLE001 - that's what a server does
            handler = self.exception_handlers.get(Exception)
            if handler is None:
                raise
            return handler(request, exc)
        if isinstance(result, Response):
            return result
        return JSONResponse(result)

    def build_middleware_stack(self):
        handler = self._dispatch
        for middleware in reversed(self.user_middleware):
            handler = middleware.cls(handler, **middleware.options)
        return handler

    def __call__(self, request):
        return self.build_middleware_stack()(request)


class TestClient:
    __test__ = False  # not a test class

    def __init__(self, app):
        self.app = app

    def get(self, path, headers=None):
        headers = {k.lower(): v for k, v in (headers or {}).items()}
        return self.app(Request("GET", path, headers))
