"""The pure half of the database guard (:mod:`auditor.dynamic.probes.database_guard`): the
snapshot's manifest, the SQL it reads a PostgreSQL database with, and what a restore has to
do, decided from the manifest and the database's state as plain data.

A *manifest* (JSON, written next to the COPY files) holds, per user table, its columns, its
row count and a digest of its rows computed by the server (:func:`digest_query`), and per
sequence its ``last_value`` and ``is_called``. A later look at the database gives the same
figures; :func:`plan` compares the two: tables whose rows changed, tables and schemas the
suite created, tables it dropped (which cannot be recreated), sequences it moved.
:func:`closure` adds the tables that reference a changed one through a foreign key, so
that they can be truncated together without ``CASCADE``, and :func:`load_order` puts
referenced tables before the tables that reference them.

Standard library only: it runs in the suite's interpreter, like the probes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

MAX_ROWS = 100_000
"""At most this many rows in all are snapshotted; over it, the database is not guarded."""
MAX_BYTES = 256 * 1024 * 1024
"""At most this many bytes of COPY text in all."""
MAX_TABLES = 2_000
"""At most this many tables (one digest query names each)."""

USER_SCHEMA = "n.nspname <> 'information_schema' AND left(n.nspname, 3) <> 'pg_'"
"""Schemas of the user: not pg_catalog, pg_toast, pg_temp_*, information_schema."""

TABLES = f"""
    SELECT n.nspname, c.relname,
           coalesce((SELECT json_agg(a.attname ORDER BY a.attnum)::text
                     FROM pg_catalog.pg_attribute a
                     WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                       AND a.attgenerated = ''), '[]'),
           pg_catalog.has_table_privilege(c.oid, 'SELECT')
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'r' AND {USER_SCHEMA}
    ORDER BY 1, 2
"""
"""Every user table (partitions included, partitioned parents left out: their rows are
their partitions'), with its columns (generated ones left out, as COPY does)."""

SEQUENCES = f"""
    SELECT n.nspname, c.relname
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'S' AND {USER_SCHEMA}
    ORDER BY 1, 2
"""
SCHEMAS = f"SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE {USER_SCHEMA} ORDER BY 1"
REFERENCES = f"""
    SELECT DISTINCT cn.nspname, c.relname, pn.nspname, p.relname
    FROM pg_catalog.pg_constraint k
    JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
    JOIN pg_catalog.pg_namespace cn ON cn.oid = c.relnamespace
    JOIN pg_catalog.pg_class p ON p.oid = k.confrelid
    JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace
    WHERE k.contype = 'f' AND {USER_SCHEMA.replace("n.", "cn.")}
"""
"""(referencing schema, table, referenced schema, table) of every foreign key."""


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def qualified(name: str) -> str:
    """``schema.table`` (as the manifest names it) quoted for SQL."""
    schema, _, table = name.partition(".")
    return f"{quote(schema)}.{quote(table)}"


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def select_rows(name: str, columns: Sequence[str]) -> str:
    """The table's rows, these columns only."""
    return f"SELECT {', '.join(map(quote, columns))} FROM {qualified(name)}"


def digest_query(tables: Sequence[tuple[str, Sequence[str]]]) -> str:
    """One statement: per table (by position), its row count and the md5 of its rows'
    text sorted bytewise (``''`` for none): the same rows give the same digest."""
    parts = [
        f"SELECT {i}, count(*), coalesce(pg_catalog.md5(string_agg(r::text, E'\\n' "
        f"ORDER BY r::text COLLATE \"C\")), '') FROM ({select_rows(name, columns)}) r"
        for i, (name, columns) in enumerate(tables)
    ]
    return "\nUNION ALL\n".join(parts)


def count_query(tables: Sequence[str]) -> str:
    """One statement: per table (by position), its row count (and an empty digest)."""
    return "\nUNION ALL\n".join(
        f"SELECT {i}, count(*), '' FROM {qualified(name)}" for i, name in enumerate(tables)
    )


def sequence_query(sequences: Sequence[str]) -> str:
    """One statement: per sequence (by position), ``last_value`` and ``is_called``."""
    return "\nUNION ALL\n".join(
        f"SELECT {i}, last_value::text, is_called FROM {qualified(name)}"
        for i, name in enumerate(sequences)
    )


@dataclass(frozen=True)
class Table:
    name: str
    """``schema.table``."""
    columns: tuple[str, ...]
    rows: int = 0
    digest: str = ""
    file: str = ""
    """The COPY file in the snapshot folder."""


@dataclass(frozen=True)
class SequenceValue:
    name: str
    last_value: str
    is_called: bool


@dataclass
class Manifest:
    """What the snapshot holds."""

    database: str
    tables: list[Table] = field(default_factory=list)
    sequences: list[SequenceValue] = field(default_factory=list)
    schemas: list[str] = field(default_factory=list)
    bytes: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Manifest:
        return cls(
            database=str(data["database"]),
            tables=[
                Table(
                    str(t["name"]),
                    tuple(str(c) for c in t["columns"]),
                    int(t["rows"]),
                    str(t["digest"]),
                    str(t["file"]),
                )
                for t in data["tables"]
            ],
            sequences=[
                SequenceValue(str(s["name"]), str(s["last_value"]), bool(s["is_called"]))
                for s in data["sequences"]
            ],
            schemas=[str(s) for s in data["schemas"]],
            bytes=int(data.get("bytes", 0)),
        )


@dataclass(frozen=True)
class Current:
    """The database as it is now, read with the queries above."""

    columns: Mapping[str, tuple[str, ...]]
    """Table -> its columns."""
    figures: Mapping[str, tuple[int, str]]
    """Snapshotted table whose columns are still there -> (rows, digest)."""
    sequences: Mapping[str, tuple[str, bool]]
    schemas: frozenset[str]


@dataclass(frozen=True)
class Entry:
    """One thing the suite changed, and what the guard does (did) about it."""

    kind: str
    """``table``, ``sequence`` or ``schema``."""
    name: str
    change: str
    """``changed``, ``created`` or ``dropped``."""
    restored: bool = True
    why: str = ""
    """Why it could not be put back."""
    database: str = ""
    """Where, when one guard watches several (``redis db 15``)."""

    def to_json(self) -> dict[str, Any]:
        found = asdict(self)
        if not self.database:
            del found["database"]
        return found


@dataclass
class Plan:
    """What a restore does; empty when the database is as the snapshot found it."""

    changed: list[str] = field(default_factory=list)
    created_tables: list[str] = field(default_factory=list)
    created_schemas: list[str] = field(default_factory=list)
    created_sequences: list[str] = field(default_factory=list)
    sequences: list[SequenceValue] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)

    @property
    def needed(self) -> bool:
        """Whether anything is to be done in the database."""
        return bool(
            self.changed
            or self.created_tables
            or self.created_schemas
            or self.created_sequences
            or self.sequences
        )


DROPPED = "dropped by the suite: a dropped table cannot be recreated"
COLUMNS = "its columns changed: rows of other columns cannot be put back"


def columns_kept(manifest: Manifest, columns: Mapping[str, tuple[str, ...]]) -> list[Table]:
    """The snapshotted tables that are still there with every column they had."""
    return [
        table
        for table in manifest.tables
        if table.name in columns and set(table.columns) <= set(columns[table.name])
    ]


def plan(manifest: Manifest, current: Current) -> Plan:
    """What the suite changed since the snapshot, and what putting it back takes."""
    result = Plan()
    before = {table.name for table in manifest.tables}
    new_schemas = sorted(current.schemas - set(manifest.schemas))
    result.created_schemas = new_schemas
    result.entries += [Entry("schema", name, "created") for name in new_schemas]
    for name in sorted(set(current.columns) - before):
        if name.partition(".")[0] not in new_schemas:
            result.created_tables.append(name)
        result.entries.append(Entry("table", name, "created"))
    for table in manifest.tables:
        if table.name not in current.columns:
            result.entries.append(Entry("table", table.name, "dropped", False, DROPPED))
        elif table.name not in current.figures:
            result.entries.append(Entry("table", table.name, "changed", False, COLUMNS))
        elif current.figures[table.name] != (table.rows, table.digest):
            result.changed.append(table.name)
            result.entries.append(Entry("table", table.name, "changed"))
        elif current.columns[table.name] != table.columns:
            result.entries.append(Entry("table", table.name, "changed", False, COLUMNS))
    kept = {sequence.name for sequence in manifest.sequences}
    for name in sorted(set(current.sequences) - kept):
        if name.partition(".")[0] not in new_schemas:
            result.created_sequences.append(name)
    for sequence in manifest.sequences:
        now = current.sequences.get(sequence.name)
        if now is not None and now != (sequence.last_value, sequence.is_called):
            result.sequences.append(sequence)
            result.entries.append(Entry("sequence", sequence.name, "changed"))
    return result


def closure(changed: Iterable[str], references: Iterable[tuple[str, str]]) -> list[str]:
    """``changed`` and every table that references one of them, directly or not
    (``references``: (referencing, referenced) pairs), sorted: truncated together, they
    need no ``CASCADE``."""
    found = set(changed)
    pending = list(found)
    referencing: dict[str, set[str]] = {}
    for child, parent in references:
        referencing.setdefault(parent, set()).add(child)
    while pending:
        for child in referencing.get(pending.pop(), ()):
            if child not in found:
                found.add(child)
                pending.append(child)
    return sorted(found)


def load_order(tables: Iterable[str], references: Iterable[tuple[str, str]]) -> list[str]:
    """``tables`` with the tables they reference first (a cycle, or a table referencing
    itself, is left in name order: its keys are checked at the end of each COPY, or not
    at all in replica mode)."""
    names = sorted(set(tables))
    parents: dict[str, set[str]] = {name: set() for name in names}
    for child, parent in references:
        if child in parents and parent in parents and child != parent:
            parents[child].add(parent)
    ordered: list[str] = []
    placed: set[str] = set()
    while len(ordered) < len(names):
        ready = [n for n in names if n not in placed and parents[n] <= placed]
        if not ready:  # a cycle: the first one left goes next
            ready = [next(n for n in names if n not in placed)]
        for name in ready:
            ordered.append(name)
            placed.add(name)
    return ordered


def over_limit(rows: int, tables: int, max_rows: int = MAX_ROWS) -> str | None:
    """Why a database of ``rows`` rows in ``tables`` tables is too big to guard."""
    if tables > MAX_TABLES:
        return f"{tables} tables, more than the {MAX_TABLES} the guard keeps"
    if rows > max_rows:
        return f"{rows:,} rows, more than the {max_rows:,} the guard keeps"
    return None
