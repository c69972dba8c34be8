from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from orderdesk.models import User


class UserRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, email: str, name: str) -> User:
        user = User(email=email, name=name)
        self.session.add(user)
        self.session.flush()
        return user

    def by_email(self, email: str) -> User | None:
        return self.session.scalar(select(User).where(User.email == email))

    def count(self) -> int:
        return self.session.scalar(select(func.count()).select_from(User)) or 0


def welcome_message(user: User) -> str:
    return f"Welcome to orderdesk, {user.name}!"
