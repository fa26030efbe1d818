"""What a person has currently agreed to, and the lock that keeps a health-data write and a
withdrawal of the consent behind it from interleaving."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.audit import record_audit
from storage.locks import lock_row
from storage.models import Consent, ConsentKind, Resident, User


async def lock_consents(session: AsyncSession, user_id: int) -> None:
    """Takes this user's consent lock for the rest of the transaction: whoever writes health
    data under the user's consent, or withdraws it, does so one at a time and reads what the
    other committed. PostgreSQL: the user's row lock; SQLite: the database write lock, taken
    by a no-op write."""
    await lock_row(session, User.id, user_id, noop=User.id)


async def latest_consent(session: AsyncSession, user_id: int, kind: ConsentKind) -> Consent | None:
    """The user's newest decision about themself (not about a family member)."""
    return await session.scalar(
        select(Consent)
        .where(
            Consent.user_id == user_id,
            Consent.kind == kind,
            Consent.grantee_user_id.is_(None),
            Consent.subject_resident_id.is_(None),
        )
        .order_by(Consent.decided_at.desc(), Consent.id.desc())
        .limit(1)
        .execution_options(populate_existing=True)
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


async def record_member_health_consent(
    session: AsyncSession, *, user_id: int, version: str, now: datetime
) -> Consent:
    """The user says a family member agreed that their health facts are recorded. The
    member is saved at the end of the form: the consent is bound to them then."""
    consent = Consent(
        user_id=user_id,
        kind=ConsentKind.MEMBER_HEALTH_DATA,
        text_version=version,
        granted=True,
        decided_at=now,
    )
    session.add(consent)
    await session.flush()
    record_audit(
        session,
        at=now,
        actor_user_id=user_id,
        action="member_consent_granted",
        subject_type="consent",
        subject_id=consent.id,
        version=version,
    )
    return consent


async def member_consent_to_bind(
    session: AsyncSession, user_id: int, consent_id: int
) -> Consent | None:
    """This user's member consent, still in force and not yet bound to a member."""
    return await session.scalar(
        select(Consent)
        .where(
            Consent.id == consent_id,
            Consent.user_id == user_id,
            Consent.kind == ConsentKind.MEMBER_HEALTH_DATA,
            Consent.subject_resident_id.is_(None),
            Consent.granted,
            Consent.revoked_at.is_(None),
        )
        .execution_options(populate_existing=True)
    )


async def member_consents_in_force(session: AsyncSession, user_id: int) -> Sequence[Consent]:
    """Health-data consents this user gave for family members and has not withdrawn."""
    return (
        await session.scalars(
            select(Consent)
            .where(
                Consent.user_id == user_id,
                Consent.kind == ConsentKind.MEMBER_HEALTH_DATA,
                Consent.granted,
                Consent.revoked_at.is_(None),
            )
            .order_by(Consent.id)
        )
    ).all()


async def members_recorded_by(
    session: AsyncSession, user_id: int, also: Sequence[int] = ()
) -> Sequence[Resident]:
    """Family members (no account of their own) this user recorded, and residents `also`
    named: whose health facts rest on this user's consent."""
    return (
        await session.scalars(
            select(Resident)
            .where(
                Resident.user_id.is_(None),
                or_(Resident.created_by_user_id == user_id, Resident.id.in_(list(also))),
            )
            .order_by(Resident.id)
            .execution_options(populate_existing=True)
        )
    ).all()
