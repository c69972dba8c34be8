"""Shared helpers (named like a test module, defines no test)."""

from medapp.models import User


def build_user(session, email="helper@example.com", name="Helper"):
    user = User(email=email, name=name)
    session.add(user)
    session.flush()
    return user


def project_payload(name="Pulse Oximeter", owner="helper@example.com"):
    return {"name": name, "owner": owner}
