"""Column types: UTC timestamps that come back aware on every database, and encrypted text
for personal data (Fernet: AES-128-CBC + HMAC, from the cryptography package)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import DateTime, Dialect, Text
from sqlalchemy.types import TypeDecorator

_cipher: Fernet | None = None


class PiiKeyMissing(RuntimeError):
    """Personal data was about to be written or read without a key: never store plaintext."""


def configure_pii_key(key: str | bytes) -> None:
    """Sets the process-wide key for encrypted columns (PII_KEY)."""
    global _cipher
    _cipher = Fernet(key)


def new_pii_key() -> str:
    return Fernet.generate_key().decode()


def _require_cipher() -> Fernet:
    if _cipher is None:
        raise PiiKeyMissing("PII key not configured; call storage.configure_pii_key first")
    return _cipher


class UtcDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC; SQLite drops the zone, so it is put back on load."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class EncryptedText(TypeDecorator[str]):
    """Text encrypted at rest. Equality queries on it are impossible by design."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return _require_cipher().encrypt(value.encode("utf-8")).decode("ascii")

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        try:
            return _require_cipher().decrypt(value.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise PiiKeyMissing("stored personal data does not open with this PII_KEY") from None


def encrypt_json(value: Any) -> str:
    """A JSON document as Fernet ciphertext (ASCII), e.g. for Redis or a Text column."""
    plain = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return _require_cipher().encrypt(plain.encode("utf-8")).decode("ascii")


def decrypt_json(value: str | bytes) -> Any:
    token = value.encode("ascii") if isinstance(value, str) else value
    try:
        return json.loads(_require_cipher().decrypt(token))
    except InvalidToken:
        raise PiiKeyMissing("stored personal data does not open with this PII_KEY") from None


class EncryptedJSON(TypeDecorator[Any]):
    """A JSON document encrypted at rest (e.g. conversation state holding a phone number)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else encrypt_json(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else decrypt_json(value)
