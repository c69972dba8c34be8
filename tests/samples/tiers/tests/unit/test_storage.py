"""Invoice archive on S3. moto stands in for S3 in the unit tests."""

from datetime import date

import boto3
from moto import mock_aws

from tests.utils.factories import build_invoice
from tiersapp.storage import InvoiceArchive

BUCKET = "tiers-invoices"


@mock_aws
def test_upload_puts_pdf_under_month_prefix():
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket=BUCKET)
    invoice = build_invoice(issued_on=date(2024, 3, 9))
    key = InvoiceArchive(s3, BUCKET).upload(invoice, b"%PDF-1.7 fake")
    assert key.startswith("invoices/2024/03/")
    assert s3.head_object(Bucket=BUCKET, Key=key)["ContentType"] == "application/pdf"


def test_presigned_url_names_the_key():
    with mock_aws():
        s3 = boto3.client("s3", region_name="eu-central-1")
        invoice = build_invoice()
        url = InvoiceArchive(s3, BUCKET).presigned_url(invoice, expires=60)
    assert invoice.number in url
    assert "Expires=" in url


def test_key_layout_is_year_month_number():
    invoice = build_invoice(issued_on=date(2023, 11, 30))
    assert InvoiceArchive.key_for(invoice) == f"invoices/2023/11/{invoice.number}.pdf"


def test_staging_bucket_exists(settings):
    s3 = boto3.client("s3", region_name="eu-central-1")
    response = s3.head_bucket(Bucket=settings.s3_bucket)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
