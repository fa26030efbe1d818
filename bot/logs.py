"""Logging set-up. Logs carry ids and error kinds, never message text or personal data, so
loggers that would print SQL parameters or raw updates stay quiet whatever LOG_LEVEL says."""

from __future__ import annotations

import logging

# Their DEBUG/INFO output includes query parameters, update contents or user ids.
_QUIET = ("aiosqlite", "asyncpg", "sqlalchemy.engine", "sqlalchemy.pool", "aiogram.event",
          "alembic")  # fmt: skip


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
