"""migrations (database)."""

from sqlalchemy import inspect


def test_tables_exist(engine):
    names = set(inspect(engine).get_table_names())
    assert {"users", "projects", "predicate_devices"} <= names
