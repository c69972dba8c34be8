"""Stand-in for testcontainers' PostgresContainer used by the test suite."""

from __future__ import annotations


class PostgresContainer:
    def __init__(self, image: str = "postgres:15-alpine", dbname: str = "test") -> None:
        self.image = image
        self.dbname = dbname
        self.running = False

    def start(self) -> "PostgresContainer":
        self.running = True
        return self

    def stop(self) -> None:
        self.running = False

    def get_connection_url(self) -> str:
        return f"postgresql+psycopg://test:test@localhost:5432/{self.dbname}"

    def __enter__(self) -> "PostgresContainer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
