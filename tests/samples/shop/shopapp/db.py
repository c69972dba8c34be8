"""A very small in-memory stand-in for the parts of SQLAlchemy the service uses.

Names and call shapes follow SQLAlchemy 2.x: ``create_engine(url)``,
``engine.connect()``, ``connection.begin()``, ``Session(bind=...)``,
``sessionmaker(bind=...)`` and ``Base.metadata.create_all(engine)``.
Rows live in dictionaries on the engine; a transaction is a snapshot.
"""

from __future__ import annotations

import copy
import itertools
from typing import Any, Callable, Iterator


class OperationalError(Exception):
    """Raised when a table does not exist (create_all was not run)."""


class IntegrityError(Exception):
    """Raised on a unique constraint violation."""


class MetaData:
    def __init__(self) -> None:
        self.tables: dict[str, type] = {}

    def create_all(self, bind: "Engine") -> None:
        for name in self.tables:
            bind.tables.setdefault(name, {})

    def drop_all(self, bind: "Engine") -> None:
        for name in self.tables:
            bind.tables.pop(name, None)


class Base:
    """Declarative base: subclasses with ``__tablename__`` become tables."""

    metadata = MetaData()
    __tablename__: str = ""
    __unique__: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("__tablename__"):
            Base.metadata.tables[cls.__tablename__] = cls


class Engine:
    def __init__(self, url: str, echo: bool = False) -> None:
        self.url = url
        self.echo = echo
        self.tables: dict[str, dict[int, Any]] = {}
        self.ids = itertools.count(1)
        self.disposed = False

    def connect(self) -> "Connection":
        return Connection(self)

    def dispose(self) -> None:
        self.disposed = True

    def __repr__(self) -> str:
        return f"Engine({self.url!r})"


def create_engine(url: str, echo: bool = False, **_: Any) -> Engine:
    return Engine(url, echo=echo)


class Transaction:
    def __init__(self, connection: "Connection") -> None:
        self.connection = connection
        self._snapshot = copy.deepcopy(connection.engine.tables)
        self.is_active = True

    def commit(self) -> None:
        self.is_active = False
        self.connection.transaction = None

    def rollback(self) -> None:
        if self.is_active:
            self.connection.engine.tables = self._snapshot
        self.is_active = False
        self.connection.transaction = None


class Connection:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.transaction: Transaction | None = None
        self.closed = False

    def begin(self) -> Transaction:
        self.transaction = Transaction(self)
        return self.transaction

    def in_transaction(self) -> bool:
        return self.transaction is not None and self.transaction.is_active

    def close(self) -> None:
        self.closed = True


class Query:
    def __init__(self, rows: list[Any]) -> None:
        self._rows = rows

    def filter_by(self, **criteria: Any) -> "Query":
        return Query(
            [r for r in self._rows if all(getattr(r, k) == v for k, v in criteria.items())]
        )

    def filter(self, predicate: Callable[[Any], bool]) -> "Query":
        return Query([r for r in self._rows if predicate(r)])

    def order_by(self, attribute: str) -> "Query":
        return Query(sorted(self._rows, key=lambda r: getattr(r, attribute)))

    def all(self) -> list[Any]:
        return list(self._rows)

    def first(self) -> Any | None:
        return self._rows[0] if self._rows else None

    def one(self) -> Any:
        if len(self._rows) != 1:
            raise LookupError(f"expected one row, got {len(self._rows)}")
        return self._rows[0]

    def count(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)


class Session:
    def __init__(self, bind: Engine | Connection, expire_on_commit: bool = False) -> None:
        self.bind = bind
        self.info: dict[str, Any] = {}
        self._pending: list[Any] = []
        self._deleted: list[Any] = []
        self.closed = False

    @property
    def _engine(self) -> Engine:
        return self.bind.engine if isinstance(self.bind, Connection) else self.bind

    def _table(self, model: type) -> dict[int, Any]:
        name = model.__tablename__
        try:
            return self._engine.tables[name]
        except KeyError:
            raise OperationalError(f"no such table: {name}") from None

    def add(self, obj: Any) -> None:
        self._pending.append(obj)

    def add_all(self, objs: list[Any]) -> None:
        self._pending.extend(objs)

    def delete(self, obj: Any) -> None:
        self._deleted.append(obj)

    def flush(self) -> None:
        for obj in self._pending:
            table = self._table(type(obj))
            for column in type(obj).__unique__:
                value = getattr(obj, column)
                if any(getattr(r, column) == value and r is not obj for r in table.values()):
                    raise IntegrityError(f"duplicate key value violates unique constraint {column!r}")
            if getattr(obj, "id", None) is None:
                obj.id = next(self._engine.ids)
            table[obj.id] = obj
        for obj in self._deleted:
            self._table(type(obj)).pop(obj.id, None)
        self._pending.clear()
        self._deleted.clear()

    def commit(self) -> None:
        self.flush()
        # A session bound to a connection commits the connection's transaction:
        # the classic way of breaking "join an external transaction" isolation.
        if isinstance(self.bind, Connection) and self.bind.in_transaction():
            assert self.bind.transaction is not None
            self.bind.transaction.commit()

    def rollback(self) -> None:
        self._pending.clear()
        self._deleted.clear()
        if isinstance(self.bind, Connection) and self.bind.in_transaction():
            assert self.bind.transaction is not None
            self.bind.transaction.rollback()
            self.bind.begin()

    def refresh(self, obj: Any) -> None:
        self.flush()

    def get(self, model: type, ident: int) -> Any | None:
        self.flush()
        return self._table(model).get(ident)

    def query(self, model: type) -> Query:
        self.flush()
        return Query(list(self._table(model).values()))

    def execute(self, statement: str) -> int:
        if statement.strip().upper() != "SELECT 1":
            raise NotImplementedError(statement)
        return 1

    def expunge_all(self) -> None:
        self._pending.clear()

    def close(self) -> None:
        self.closed = True

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class sessionmaker:  # noqa: N801 - same spelling as SQLAlchemy
    def __init__(self, bind: Engine | None = None, autoflush: bool = True, **kw: Any) -> None:
        self.bind = bind
        self.kw = kw

    def __call__(self) -> Session:
        if self.bind is None:
            raise RuntimeError("sessionmaker is not bound to an engine")
        return Session(bind=self.bind)

    def configure(self, bind: Engine) -> None:
        self.bind = bind
