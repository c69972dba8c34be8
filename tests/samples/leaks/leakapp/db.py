"""sqlite persistence (the production service uses SQLAlchemy on PostgreSQL)."""

import logging
import sqlite3

SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer TEXT NOT NULL,
    total REAL NOT NULL,
    status TEXT NOT NULL DEFAULT 'new'
);
"""

log = logging.getLogger("leakapp.db")


def connect(path):
    conn = sqlite3.connect(str(path))
    conn.row_factory = sqlite3.Row
    return conn


def init_db(path):
    conn = connect(path)
    try:
        conn.executescript(SCHEMA)
        conn.commit()
    finally:
        conn.close()


def sql_echo_enabled():
    """SQL statements are echoed when the leakapp.db logger is at DEBUG."""
    return log.isEnabledFor(logging.DEBUG)


def insert_order(conn, customer, total):
    cur = conn.execute(
        "INSERT INTO orders (customer, total) VALUES (?, ?)", (customer, total)
    )
    return cur.lastrowid


def get_order(conn, order_id):
    row = conn.execute("SELECT * FROM orders WHERE id = ?", (order_id,)).fetchone()
    return dict(row) if row else None


def list_orders(conn):
    return [dict(r) for r in conn.execute("SELECT * FROM orders ORDER BY id")]
