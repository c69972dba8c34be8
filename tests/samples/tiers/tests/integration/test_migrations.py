"""Alembic migrations against the test container."""

import subprocess
import sys

from sqlalchemy import inspect


def test_alembic_upgrade_head_is_clean(postgres_url):
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "-x", f"url={postgres_url}", "upgrade", "head"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_schema_has_the_billing_tables(engine):
    tables = set(inspect(engine).get_table_names())
    assert {"customers", "plans", "subscriptions", "invoices", "usage_records"} <= tables
