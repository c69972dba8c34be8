"""A tiny request handler standing in for the FastAPI app."""

from medapp.core import RegulatoryError, error_response
from medapp.services import ProjectService, UserService


def handle(session, method, path, body=None):
    try:
        if (method, path) == ("GET", "/health"):
            return 200, {"status": "ok"}
        if (method, path) == ("POST", "/users"):
            user = UserService(session).register(body["email"], body["name"])
            return 201, {"id": user.id, "email": user.email}
        if (method, path) == ("POST", "/projects"):
            owner = UserService(session).by_email(body["owner"])
            project = ProjectService(session).create(owner, body["name"])
            return 201, {"id": project.id, "status": project.status.value}
        return 404, {"error": "no route"}
    except RegulatoryError as exc:
        return error_response(exc)


class Client:
    def __init__(self, session):
        self.session = session

    def get(self, path):
        return handle(self.session, "GET", path)

    def post(self, path, body):
        return handle(self.session, "POST", path, body)
