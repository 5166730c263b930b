"""Store fixtures: every test that takes `store` runs on a real SQLite file in tmp_path and on a
real PostgreSQL database (tests/conftest.py `store_url`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from models.db import Store, open_store


@pytest.fixture
def store(store_url) -> Iterator[Store]:
    with open_store(store_url) as opened:
        yield opened
