"""Storage: a sqlite repository, and an in-memory one with the same methods."""

import sqlite3


class Repository:
    """Users in a sqlite database (a file, or ":memory:")."""

    def __init__(self, path):
        self.connection = sqlite3.connect(path)
        self.connection.execute("create table if not exists users (name text)")

    def add(self, name):
        self.connection.execute("insert into users values (?)", (name,))

    def count(self):
        return self.connection.execute("select count(*) from users").fetchone()[0]


class InMemoryRepository:
    """Users in a list: the same methods, no database."""

    def __init__(self):
        self.users = []

    def add(self, name):
        self.users.append(name)

    def count(self):
        return len(self.users)
