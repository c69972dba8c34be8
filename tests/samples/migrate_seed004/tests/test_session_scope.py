"""session scope (database)."""

from sqlalchemy import text


def test_session_executes_sql(db_session):
    assert db_session.execute(text("select 1")).scalar() == 1
