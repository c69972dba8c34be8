"""InvoiceArchive against LocalStack S3."""

from datetime import date

from tests.utils.factories import build_invoice
from tiersapp.storage import InvoiceArchive


def test_upload_and_fetch_roundtrip(s3_client, archive_bucket):
    archive = InvoiceArchive(s3_client, archive_bucket)
    invoice = build_invoice(issued_on=date(2024, 5, 2))
    archive.upload(invoice, b"%PDF-1.7 invoice")
    assert archive.fetch(invoice) == b"%PDF-1.7 invoice"


def test_list_month_only_returns_that_month(s3_client, archive_bucket):
    archive = InvoiceArchive(s3_client, archive_bucket)
    for day in (date(2024, 5, 1), date(2024, 5, 31), date(2024, 6, 1)):
        archive.upload(build_invoice(issued_on=day), b"%PDF")
    keys = archive.list_month(2024, 5)
    assert len(keys) == 2
    assert all(key.startswith("invoices/2024/05/") for key in keys)
