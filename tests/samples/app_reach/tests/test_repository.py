from app import create_app
from app.db import Repository


def test_adds_a_user(db):
    db.add("ada")
    assert db.count() == 1


def test_in_memory_repository(memory_users):
    memory_users.add("ada")
    assert memory_users.count() == 1


def test_sqlite_in_memory():
    repository = Repository(":memory:")
    repository.add("ada")
    assert repository.count() == 1


def test_app_configured_in_memory():
    app = create_app(database=":memory:")
    assert app.repository.count() == 0
