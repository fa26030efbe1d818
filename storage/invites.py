"""One-time invites for staff and admins: adding, revoking, listing, and the atomic claim.

Only the code's hash is stored. A claim is one conditional UPDATE, so two people redeeming
one code at the same moment cannot both win: the database decides, row by row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import DoctorInvite, Staff
from storage.models.centre import InviteKind


@dataclass(frozen=True)
class ClaimedInvite:
    id: int
    kind: InviteKind
    staff_id: str | None


def _open(now: datetime):  # type: ignore[no-untyped-def]
    """Not used, not revoked, not expired."""
    return (
        DoctorInvite.used_at.is_(None),
        DoctorInvite.revoked_at.is_(None),
        DoctorInvite.expires_at > now,
    )


async def add_invite(
    session: AsyncSession,
    *,
    code_hash: str,
    kind: InviteKind,
    now: datetime,
    expires_at: datetime,
    staff_id: str | None = None,
    label: str | None = None,
) -> DoctorInvite:
    invite = DoctorInvite(
        code_hash=code_hash,
        kind=kind,
        staff_id=staff_id,
        label=label,
        created_at=now,
        expires_at=expires_at,
    )
    session.add(invite)
    await session.flush()
    return invite


async def revoke_open_invites(session: AsyncSession, *, staff_id: str, now: datetime) -> int:
    """Revokes every open invite for this staff member; returns how many there were."""
    result = await session.execute(
        update(DoctorInvite)
        .where(DoctorInvite.staff_id == staff_id, *_open(now))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result)


async def revoke_open_invites_of_inactive_staff(session: AsyncSession, *, now: datetime) -> int:
    """Invites for staff no longer in config.yml stop working."""
    inactive = select(Staff.id).where(Staff.active.is_(False))
    result = await session.execute(
        update(DoctorInvite)
        .where(DoctorInvite.staff_id.in_(inactive), *_open(now))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result)


async def revoke_invite(session: AsyncSession, invite_id: int, now: datetime) -> bool:
    """Revokes one invite if it is still open."""
    result = await session.execute(
        update(DoctorInvite)
        .where(DoctorInvite.id == invite_id, *_open(now))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


async def claim_invite(
    session: AsyncSession, *, code_hash: str, user_id: int, now: datetime
) -> ClaimedInvite | None:
    """Marks the open invite with this hash as used by `user_id`; None when there is none
    (unknown, used, revoked or expired). Exactly one of concurrent claims gets the row."""
    row = (
        await session.execute(
            update(DoctorInvite)
            .where(DoctorInvite.code_hash == code_hash, *_open(now))
            .values(used_at=now, used_by_user_id=user_id)
            .returning(DoctorInvite.id, DoctorInvite.kind, DoctorInvite.staff_id)
            .execution_options(synchronize_session=False)
        )
    ).one_or_none()
    return None if row is None else ClaimedInvite(row.id, InviteKind(row.kind), row.staff_id)


async def open_invite_count(session: AsyncSession, staff_id: str, now: datetime) -> int:
    return len(
        (
            await session.scalars(
                select(DoctorInvite.id).where(DoctorInvite.staff_id == staff_id, *_open(now))
            )
        ).all()
    )


async def all_invites(session: AsyncSession) -> Sequence[DoctorInvite]:
    return (await session.scalars(select(DoctorInvite).order_by(DoctorInvite.id))).all()


async def admin_labels(session: AsyncSession) -> dict[int, str | None]:
    """user id → the label of the admin invite they joined with."""
    rows = await session.execute(
        select(DoctorInvite.used_by_user_id, DoctorInvite.label).where(
            DoctorInvite.kind == InviteKind.ADMIN, DoctorInvite.used_by_user_id.is_not(None)
        )
    )
    return {user_id: label for user_id, label in rows}


def _rowcount(result: object) -> int:
    assert isinstance(result, CursorResult)
    return result.rowcount
