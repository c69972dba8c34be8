"""Project endpoints."""

from tests.test_helpers import build_user, project_payload
from tests.test_project_service import PROJECT_NAME


def test_create_project(client, db_session):
    build_user(db_session)
    status, body = client.post("/projects", project_payload(name=PROJECT_NAME))
    assert (status, body["status"]) == (201, "draft")


def test_create_project_for_unknown_owner(client):
    status, body = client.post("/projects", project_payload(owner="ghost@example.com"))
    assert (status, body["error"]) == (404, "not_found")
