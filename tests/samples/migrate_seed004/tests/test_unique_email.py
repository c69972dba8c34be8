"""unique email (database)."""

import pytest
from sqlalchemy.exc import IntegrityError


def test_duplicate_email_rejected(user_factory):
    user_factory(email="dup@example.com")
    with pytest.raises(IntegrityError):
        user_factory(email="dup@example.com")
