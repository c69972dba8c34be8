from datetime import datetime, timezone
from unittest import mock

from leakapp.receipts import make_receipt


def test_receipt_number_uses_issue_date():
    frozen = datetime(2024, 1, 15, 9, 30, tzinfo=timezone.utc)
    mock.patch("leakapp.clock.now", return_value=frozen).start()
    receipt = make_receipt(order_id=7, total=19.99)
    assert receipt.number == "R-20240115-00007"
