"""invalid projects (database)."""

import pytest

from medapp.core import InvalidProject
from medapp.services import ProjectService


def test_blank_name_rejected(db_session, user_factory):
    with pytest.raises(InvalidProject):
        ProjectService(db_session).create(user_factory(), "  ")
