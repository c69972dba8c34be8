"""user model (unit)."""

from medapp.models import User


def test_user_fields():
    user = User(email="a@example.com", name="A")
    assert user.email.endswith("@example.com")


def test_user_has_no_projects_yet():
    assert User(email="b@example.com", name="B").projects == []
