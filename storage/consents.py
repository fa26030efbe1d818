"""What a person has currently agreed to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.audit import record_audit
from storage.models import Consent, ConsentKind


async def latest_consent(session: AsyncSession, user_id: int, kind: ConsentKind) -> Consent | None:
    return await session.scalar(
        select(Consent)
        .where(Consent.user_id == user_id, Consent.kind == kind, Consent.grantee_user_id.is_(None))
        .order_by(Consent.decided_at.desc(), Consent.id.desc())
        .limit(1)
    )


async def has_consent(session: AsyncSession, user_id: int, kind: ConsentKind) -> bool:
    consent = await latest_consent(session, user_id, kind)
    return consent is not None and consent.granted and consent.revoked_at is None


def record_consent(
    session: AsyncSession,
    *,
    user_id: int,
    kind: ConsentKind,
    version: str,
    granted: bool,
    now: datetime,
) -> None:
    """Adds a consent decision (granted or declined) with its text version, and audits it."""
    session.add(
        Consent(user_id=user_id, kind=kind, text_version=version, granted=granted, decided_at=now)
    )
    record_audit(
        session,
        at=now,
        actor_user_id=user_id,
        action="consent_granted" if granted else "consent_declined",
        subject_type="consent",
        subject_id=kind.value,
        version=version,
    )
