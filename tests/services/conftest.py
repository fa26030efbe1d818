"""Service tests: a slice's rules called as the router calls them (one session per update,
no aiogram), asserted on what the service returns and on what storage reads back afterwards.
The accounts come from tests/signing/conftest.py's Centre."""

from __future__ import annotations

import pytest

from flows.centre import CentreConfig
from flows.clock import FrozenClock
from storage.database import Database
from tests.signing.conftest import Centre


@pytest.fixture
def any_world(any_db: Database, clock: FrozenClock, centre: CentreConfig) -> Centre:
    """The centre on SQLite and on PostgreSQL."""
    return Centre(any_db, clock, centre)
