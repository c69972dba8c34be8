"""Services over a session."""

from sqlalchemy import select

from medapp.core import InvalidProject, NotFound
from medapp.models import PredicateDevice, Project, ProjectStatus, User
from medapp.utils import is_k_number


def send_email(to, subject):  # replaced in tests
    raise RuntimeError("no mail server in tests")


class UserService:
    def __init__(self, session):
        self.session = session

    def register(self, email, name):
        user = User(email=email, name=name)
        self.session.add(user)
        self.session.flush()
        return user

    def by_email(self, email):
        user = self.session.scalar(select(User).where(User.email == email))
        if user is None:
            raise NotFound(email)
        return user


class ProjectService:
    def __init__(self, session, notify=None):
        self.session = session
        self.notify = notify or send_email

    def create(self, owner, name, device_type=""):
        if not name.strip():
            raise InvalidProject("a project needs a name")
        project = Project(name=name, device_type=device_type, owner=owner)
        self.session.add(project)
        self.session.flush()
        return project

    def submit(self, project):
        project.status = ProjectStatus.SUBMITTED
        self.notify(project.owner.email, f"{project.name} submitted")
        self.session.flush()
        return project

    def archive(self, project):
        project.status = ProjectStatus.ARCHIVED
        self.session.flush()

    def for_owner(self, owner):
        query = select(Project).where(Project.owner_id == owner.id).order_by(Project.id)
        return list(self.session.scalars(query))

    def add_predicate(self, project, k_number, device_name, confidence=0.0):
        if not is_k_number(k_number):
            raise InvalidProject(f"not a K number: {k_number}")
        device = PredicateDevice(
            k_number=k_number, device_name=device_name, confidence=confidence, project=project
        )
        self.session.add(device)
        self.session.flush()
        return device
