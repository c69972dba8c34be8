"""A tiny web framework: routes, middleware, and an in-process test client."""


class Response:
    def __init__(self, status, body):
        self.status = status
        self.body = body


class App:
    def __init__(self):
        self.routes = {}
        self.middleware = []

    def route(self, method, path):
        def register(handler):
            self.routes[method, path] = handler
            return handler

        return register

    def handle(self, method, path, body=None):
        request = {"method": method, "path": path, "body": body}
        for step in self.middleware:
            request = step(request)
        handler = self.routes.get((method, path))
        if handler is None:
            return Response(404, "not found")
        return Response(200, handler(request))


class TestClient:
    """Calls the app in process, through its middleware and routing."""

    __test__ = False

    def __init__(self, app):
        self.app = app

    def get(self, path):
        return self.app.handle("GET", path)

    def post(self, path, body=None):
        return self.app.handle("POST", path, body)
