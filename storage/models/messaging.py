"""Everything that must reach a person later is a row here; a sweep claims due rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, enum_column
from storage.models.enums import MessageState, Priority
from storage.types import EncryptedJSON


class ScheduledMessage(Base):
    __tablename__ = "scheduled_messages"
    __table_args__ = (Index("ix_scheduled_messages_due", "state", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # medication_reminder, renewal_notice, …
    recipient_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    priority: Mapped[Priority] = mapped_column(enum_column(Priority), default=Priority.NORMAL)
    due_at: Mapped[datetime]
    # What to say, as a template key and its values (may hold personal data: encrypted).
    payload: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON())
    # Same key twice is one message: re-planning reminders never duplicates them.
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    state: Mapped[MessageState] = mapped_column(
        enum_column(MessageState), default=MessageState.PENDING
    )
    claimed_by: Mapped[str | None] = mapped_column(String(64))  # which process (for people)
    claimed_until: Mapped[datetime | None]
    # Fencing token of the current claim: every update of a claimed row names it, so a sender
    # whose lease ran out (and whose row was claimed again) can change nothing.
    claim_token: Mapped[str | None] = mapped_column(String(32))
    attempts: Mapped[int] = mapped_column(Integer(), default=0)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(200))
    # Failed because the person had blocked the bot: sent after all if they come back by then.
    resend_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
