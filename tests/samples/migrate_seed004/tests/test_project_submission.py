"""project submission (database)."""

from unittest import mock

from medapp.models import ProjectStatus
from medapp.services import ProjectService

from .test_project_service import PROJECT_NAME


def test_submit_notifies_owner(db_session, user_factory):
    owner = user_factory(email="owner@example.com")
    with mock.patch("tests.test_notifications.send_email") as sent:
        service = ProjectService(db_session, notify=sent)
        project = service.submit(service.create(owner, PROJECT_NAME))
    assert project.status is ProjectStatus.SUBMITTED
    sent.assert_called_once()
