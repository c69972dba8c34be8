"""Projects: naming rules (pure) and persistence (database) in one module."""

from medapp.services import ProjectService
from medapp.utils import slugify

PREFIX = "proj"


def project_slug(name):
    return f"{PREFIX}-{slugify(name)}"


def test_slug_of_a_project_name():
    assert project_slug("Glucose Meter") == "proj-glucose-meter"


def test_slug_of_an_empty_name():
    assert project_slug("") == "proj-"


def test_persisted_project_keeps_its_name(db_session, user_factory):
    project = ProjectService(db_session).create(user_factory(), "Glucose Meter")
    db_session.expire_all()
    assert project.name == "Glucose Meter"
