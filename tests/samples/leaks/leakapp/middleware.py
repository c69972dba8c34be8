"""HTTP middleware."""


class CORSMiddleware:
    def __init__(self, app, allow_origins=()):
        self.app = app
        self.allow_origins = tuple(allow_origins)

    def __call__(self, request):
        response = self.app(request)
        origin = request.headers.get("origin")
        if origin and ("*" in self.allow_origins or origin in self.allow_origins):
            allowed = "*" if "*" in self.allow_origins else origin
            response.headers["access-control-allow-origin"] = allowed
        return response
