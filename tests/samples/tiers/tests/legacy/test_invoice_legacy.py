"""Tests from the 1.x code base (unittest style), kept while the ledger is migrated.

The ledger is the SQLite file the 1.x cron job writes (var/ledger.sqlite3).
"""

import os
import sqlite3
import unittest
from datetime import date
from decimal import Decimal

from tiersapp.models import Invoice

LEDGER_PATH = os.environ.get("TIERS_LEDGER_DB", "var/ledger.sqlite3")


class TestInvoiceNumbering(unittest.TestCase):
    def test_numbers_are_zero_padded(self):
        self.assertEqual(Invoice.format_number(2024, 1), "INV-2024-00001")

    def test_numbers_sort_chronologically(self):
        pairs = [(2023, 999), (2024, 1), (2024, 12)]
        numbers = [Invoice.format_number(year, seq) for year, seq in pairs]
        self.assertEqual(numbers, sorted(numbers))

    def test_total_adds_tax(self):
        invoice = Invoice(
            number="INV-2024-00002", amount=Decimal("100.00"), tax=Decimal("19.00"), issued_on=date(2024, 1, 1)
        )
        self.assertEqual(invoice.total, Decimal("119.00"))
        self.assertIsNone(invoice.id)


class TestLegacyLedger(unittest.TestCase):
    def setUp(self):
        self.conn = sqlite3.connect(LEDGER_PATH)
        self.conn.execute("CREATE TABLE IF NOT EXISTS ledger (invoice TEXT, amount_cents INTEGER, kind TEXT)")
        self.conn.execute("DELETE FROM ledger")

    def tearDown(self):
        self.conn.close()

    def test_charge_entry(self):
        curs = self.conn.cursor()
        curs.execute("INSERT INTO ledger VALUES (?, ?, ?)", ("INV-2024-00001", 2900, "charge"))
        self.conn.commit()
        row = curs.execute("SELECT amount_cents, kind FROM ledger WHERE invoice = ?", ("INV-2024-00001",)).fetchone()
        self.assertEqual(row[0], 2900)
        self.assertEqual(row[1], "charge")

    def test_refund_entry(self):
        cur = self.conn.cursor()
        cur.execute("INSERT INTO ledger VALUES (?, ?, ?)", ("INV-2024-00007", 1500, "refund"))
        self.conn.commit()
        entry = cur.execute("SELECT amount_cents, kind FROM ledger WHERE invoice = ?", ("INV-2024-00007",)).fetchone()
        self.assertEqual(entry[0], 1500)
        self.assertEqual(entry[1], "refund")

    def test_balance_nets_refunds(self):
        entries = [("A", 2900, "charge"), ("A", 900, "refund")]
        self.conn.executemany("INSERT INTO ledger VALUES (?, ?, ?)", entries)
        (balance,) = self.conn.execute(
            "SELECT SUM(CASE kind WHEN 'refund' THEN -amount_cents ELSE amount_cents END) FROM ledger"
        ).fetchone()
        self.assertEqual(balance, 2000)
