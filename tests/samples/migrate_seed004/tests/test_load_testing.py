"""load testing (timing)."""

import time

from medapp.services import ProjectService


def test_bulk_create_is_fast(db_session, user_factory):
    owner = user_factory()
    service = ProjectService(db_session)
    start = time.perf_counter()
    for index in range(50):
        service.create(owner, f"P{index}")
    elapsed = time.perf_counter() - start
    assert elapsed < 5.0
