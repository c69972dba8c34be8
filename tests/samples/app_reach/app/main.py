"""The application: routes over the user service, stored in sqlite."""

from .db import Repository
from .services import UserService
from .web import App


def create_app(database="app.db"):
    app = App()
    app.repository = Repository(database)
    service = UserService(app.repository)

    @app.route("POST", "/users")
    def register(request):
        return service.register(request["body"])

    @app.route("GET", "/users/count")
    def count(request):
        return app.repository.count()

    return app
