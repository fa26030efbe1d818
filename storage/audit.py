"""Writing the audit log: ids and codes only, never message text or personal data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry


def record_audit(
    session: AsyncSession,
    *,
    at: datetime,
    actor_user_id: int | None,
    action: str,
    subject_type: str | None = None,
    subject_id: str | int | None = None,
    **detail: str | int | bool | None,
) -> None:
    session.add(
        AuditEntry(
            at=at,
            actor_user_id=actor_user_id,
            action=action,
            subject_type=subject_type,
            subject_id=None if subject_id is None else str(subject_id),
            detail=detail,
        )
    )
