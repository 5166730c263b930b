"""Store fixtures: a real SQLite file in tmp_path for every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from models.db import Store, open_store


@pytest.fixture
def store(tmp_path) -> Iterator[Store]:
    with open_store(tmp_path / "camaudit.db") as opened:
        yield opened
