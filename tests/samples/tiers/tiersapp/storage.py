"""Invoice PDF archive on S3."""

from tiersapp.models import Invoice


class InvoiceArchive:
    def __init__(self, s3, bucket: str):
        self.s3 = s3
        self.bucket = bucket

    @staticmethod
    def key_for(invoice: Invoice) -> str:
        return f"invoices/{invoice.issued_on:%Y}/{invoice.issued_on:%m}/{invoice.number}.pdf"

    def upload(self, invoice: Invoice, pdf: bytes) -> str:
        key = self.key_for(invoice)
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=pdf, ContentType="application/pdf")
        return key

    def fetch(self, invoice: Invoice) -> bytes:
        return self.s3.get_object(Bucket=self.bucket, Key=self.key_for(invoice))["Body"].read()

    def presigned_url(self, invoice: Invoice, expires: int = 3600) -> str:
        return self.s3.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": self.key_for(invoice)}, ExpiresIn=expires
        )

    def list_month(self, year: int, month: int) -> list[str]:
        response = self.s3.list_objects_v2(Bucket=self.bucket, Prefix=f"invoices/{year}/{month:02d}/")
        return [item["Key"] for item in response.get("Contents", [])]
