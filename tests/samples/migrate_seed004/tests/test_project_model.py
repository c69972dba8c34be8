"""project model (unit)."""

from medapp.models import Project, ProjectStatus


def test_new_project_fields():
    project = Project(name="Stent", device_type="implant")
    assert project.name == "Stent"


def test_status_default_is_applied_on_flush():
    assert Project(name="x").status in (None, ProjectStatus.DRAFT)
