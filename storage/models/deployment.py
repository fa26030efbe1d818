"""What a database is used for: a real bot's ("live") or the terminal trial chat's ("trial"),
so the trial never writes made-up people into a real service's data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class DatabaseUse(Base):
    __tablename__ = "database_uses"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # live | trial
    first_at: Mapped[datetime]
