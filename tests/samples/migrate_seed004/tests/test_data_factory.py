"""Test data factory (seed 004 style): named like a test module, defines no test."""

from medapp.models import Project, User


class TestDataFactory:
    def __init__(self, session):
        self.session = session
        self.created = []

    def user(self, **values):
        user = User(email=values.get("email", f"f{len(self.created)}@example.com"), name="F")
        self.session.add(user)
        self.session.flush()
        self.created.append(user)
        return user

    def project(self, owner, name="Factory project"):
        project = Project(name=name, owner=owner)
        self.session.add(project)
        self.session.flush()
        self.created.append(project)
        return project
