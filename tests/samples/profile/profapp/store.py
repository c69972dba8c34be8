"""Orders kept in SQLite, and a CSV summary of them."""

from __future__ import annotations

import sqlite3
from pathlib import Path


class Store:
    def __init__(self, database: str) -> None:
        self.connection = sqlite3.connect(database)
        self.connection.execute("CREATE TABLE IF NOT EXISTS orders (sku TEXT, qty INTEGER)")

    def add(self, sku: str, qty: int) -> None:
        self.connection.execute("INSERT INTO orders VALUES (?, ?)", (sku, qty))
        self.connection.commit()

    def total(self) -> int:
        (total,) = self.connection.execute("SELECT coalesce(sum(qty), 0) FROM orders").fetchone()
        return int(total)

    def close(self) -> None:
        self.connection.close()


def export(rows: list[tuple[str, int]], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "summary.csv"
    target.write_text("".join(f"{sku},{qty}\n" for sku, qty in rows), encoding="utf-8")
    return target


def price(qty: int, unit: float, discount: float = 0.0) -> float:
    return round(qty * unit * (1 - discount), 2)


def bulk_discount(qty: int) -> float:
    """A slow table lookup (stands in for a big computation)."""
    import time

    time.sleep(0.6)
    return 0.1 if qty >= 100 else 0.0
