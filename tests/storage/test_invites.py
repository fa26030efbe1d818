"""Redeeming invites on both databases: one code, one winner, even at the same moment; a
staff post another account holds is never handed over, and no database error escapes."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from flows.admin.service import create_doctor_invite, invite_hash, remove_staff
from flows.centre import CentreConfig
from flows.clock import FrozenClock
from flows.onboarding.service import InviteInvalid, OnboardingService, StaffPostHeld
from storage.database import Database
from storage.invites import add_invite
from storage.models import AuditEntry, Role, User
from storage.models.centre import InviteKind
from storage.users import find_user, load_or_create_user

Outcome = str  # "joined", "invalid" or "held"


async def _accounts(db: Database, clock: FrozenClock, *telegram_ids: int) -> None:
    async with db.sessionmaker() as session:
        for telegram_id in telegram_ids:
            await load_or_create_user(session, telegram_id, clock.now())
        await session.commit()


async def _redeem(
    db: Database, clock: FrozenClock, centre: CentreConfig, telegram_id: int, code: str
) -> Outcome:
    """One Telegram update: its own session, as the bot handles it."""
    async with db.sessionmaker() as session:
        user = await find_user(session, telegram_id)
        assert user is not None
        try:
            await OnboardingService(session, clock, centre).redeem_invite(user, code)
        except InviteInvalid:
            return "invalid"
        except StaffPostHeld:
            return "held"
        return "joined"


async def _roles(db: Database) -> dict[int, tuple[Role, str | None]]:
    async with db.sessionmaker() as session:
        return {u.telegram_id: (u.role, u.staff_id) for u in await session.scalars(select(User))}


async def test_two_people_redeeming_one_code_at_once_only_one_joins(
    any_db: Database, clock: FrozenClock, centre: CentreConfig
) -> None:
    await _accounts(any_db, clock, 101, 102)
    async with any_db.sessionmaker() as session:
        invite = await create_doctor_invite(session, staff_id="dr-wang", clock=clock, centre=centre)
        await session.commit()

    outcomes = await asyncio.gather(
        _redeem(any_db, clock, centre, 101, invite.code),
        _redeem(any_db, clock, centre, 102, invite.code),
    )

    assert sorted(outcomes) == ["invalid", "joined"]
    roles = await _roles(any_db)
    doctors = [t for t, (role, staff) in roles.items() if role is Role.STAFF]
    assert len(doctors) == 1 and roles[doctors[0]][1] == "dr-wang"
    async with any_db.sessionmaker() as session:
        redeemed = await session.scalars(
            select(AuditEntry).where(AuditEntry.action == "invite_redeemed")
        )
        assert len(redeemed.all()) == 1


async def test_two_old_codes_for_one_post_at_once_never_raise(
    any_db: Database, clock: FrozenClock, centre: CentreConfig
) -> None:
    """Two open codes for one post (made before a newer invite revoked older ones): two
    accounts redeeming them at the same moment get one post holder and one kind refusal."""
    await _accounts(any_db, clock, 201, 202)
    now = clock.now()
    async with any_db.sessionmaker() as session:
        for code in ("doc_old-one", "doc_old-two"):
            await add_invite(session, code_hash=invite_hash(code), kind=InviteKind.STAFF, now=now,
                             expires_at=now + timedelta(days=7), staff_id="nurse-li")  # fmt: skip
        await session.commit()

    outcomes = await asyncio.gather(
        _redeem(any_db, clock, centre, 201, "doc_old-one"),
        _redeem(any_db, clock, centre, 202, "doc_old-two"),
    )

    assert sorted(outcomes) == ["held", "joined"]
    roles = await _roles(any_db)
    assert sorted(roles.values(), key=str) == [
        (Role.RESIDENT, None),
        (Role.STAFF, "nurse-li"),
    ]


@pytest.mark.parametrize("older_first", [True, False])
async def test_a_newer_invite_revokes_the_older_one(
    any_db: Database, clock: FrozenClock, centre: CentreConfig, older_first: bool
) -> None:
    await _accounts(any_db, clock, 301, 302)
    codes = []
    for _ in range(2):
        async with any_db.sessionmaker() as session:
            made = await create_doctor_invite(
                session, staff_id="dr-wang", clock=clock, centre=centre
            )
            await session.commit()
        codes.append(made.code)
    assert made.revoked_older == 1
    old, new = codes
    if older_first:
        assert await _redeem(any_db, clock, centre, 301, old) == "invalid"
        assert await _redeem(any_db, clock, centre, 302, new) == "joined"
    else:
        assert await _redeem(any_db, clock, centre, 302, new) == "joined"
        # The old code, still within its week, cannot take the post from the doctor.
        assert await _redeem(any_db, clock, centre, 301, old) == "invalid"
    roles = await _roles(any_db)
    assert roles[302] == (Role.STAFF, "dr-wang") and roles[301] == (Role.RESIDENT, None)


async def test_invites_and_removals_leave_an_audit_trail_without_names(
    any_db: Database, clock: FrozenClock, centre: CentreConfig
) -> None:
    await _accounts(any_db, clock, 401)
    async with any_db.sessionmaker() as session:
        await create_doctor_invite(session, staff_id="nurse-li", clock=clock, centre=centre)
        made = await create_doctor_invite(session, staff_id="nurse-li", clock=clock, centre=centre)
        await session.commit()
    assert await _redeem(any_db, clock, centre, 401, made.code) == "joined"
    async with any_db.sessionmaker() as session:
        await remove_staff(session, "nurse-li", clock)
        await session.commit()
        entries = (await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all()
    assert [(e.action, e.subject_id) for e in entries] == [
        ("invite_created", "nurse-li"),
        ("invite_revoked", "nurse-li"),
        ("invite_created", "nurse-li"),
        ("invite_redeemed", "nurse-li"),
        ("staff_removed", "nurse-li"),
    ]
    assert "李秀英" not in repr([(e.detail, e.subject_id) for e in entries])
