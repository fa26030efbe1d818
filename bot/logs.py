"""Logging set-up. Logs carry ids and error kinds, never message text or personal data, so
loggers that would print SQL parameters or raw updates stay quiet whatever LOG_LEVEL says,
and tracebacks are written without the values a database error quotes."""

from __future__ import annotations

import logging
import re
from typing import Any

# Their DEBUG/INFO output includes query parameters, update contents or user ids.
_QUIET = ("aiosqlite", "asyncpg", "sqlalchemy.engine", "sqlalchemy.pool", "aiogram.event",
          "alembic")  # fmt: skip

# SQL parameters are hidden by the engine (storage.database), but PostgreSQL's own message
# adds a DETAIL line quoting the values ("Failing row contains (…, 1948-03-05, …)").
_DETAIL = re.compile(r"^DETAIL:.*$", re.MULTILINE)
_HIDDEN_DETAIL = "DETAIL:  [hidden: it may quote personal data]"
_TRACEBACKS = logging.Formatter()
_plain_records = logging.getLogRecordFactory()


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    # On the record itself, not on one handler: every handler and formatter (a file, journald,
    # an error tracker's) then writes the cleaned traceback.
    logging.setLogRecordFactory(_record_with_clean_traceback)


def _record_with_clean_traceback(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _plain_records(*args, **kwargs)
    if record.exc_info and record.exc_info[1] is not None:
        # Formatters use exc_text when it is set instead of formatting exc_info again.
        record.exc_text = without_quoted_values(_TRACEBACKS.formatException(record.exc_info))
    return record


def without_quoted_values(traceback_text: str) -> str:
    return _DETAIL.sub(_HIDDEN_DETAIL, traceback_text)
