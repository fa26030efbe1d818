"""The key that encrypts personal data at rest (PII_KEY)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.settings import ConfigError, Settings
from storage.types import configure_pii_key, new_pii_key

log = logging.getLogger(__name__)


def install_pii_key(settings: Settings) -> None:
    """Uses PII_KEY; for a local SQLite set-up without one, keeps a key file beside the
    database (made once, readable by the owner only). PostgreSQL deployments must set it."""
    if settings.pii_key:
        configure_pii_key(settings.pii_key)
        return
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise ConfigError(
            "PII_KEY: required with this DATABASE_URL; make one with "
            "`familydoc admin new-key` and put it in .env"
        )
    key_file = Path(url.database).with_name("pii.key")
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(new_pii_key())
        log.warning("made a new PII key at %s: back it up, or set PII_KEY", key_file)
    configure_pii_key(key_file.read_text().strip())
