"""Centre administration: mirror config.yml into the database; invites for staff and admins,
and taking staff or admin access away."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from flows.catalogue import N_
from flows.centre import WEEKDAYS, CentreConfig
from flows.clock import Clock, SystemClock
from storage import invites as stored
from storage.audit import record_audit
from storage.models import ClinicHours, Community, Package, PackageItem, Role, Staff, Team, User
from storage.models.centre import InviteKind
from storage.outbox import schedule_message
from storage.users import (
    posts_of_inactive_staff,
    revoke_staff_access,
    staff_post_holder,
    users_with_role,
)

INVITE_PREFIX = "doc_"
ADMIN_INVITE_PREFIX = "adm_"
INVITE_PREFIXES = (INVITE_PREFIX, ADMIN_INVITE_PREFIX)
LABEL_MAX = 40
# Outbox kinds that only make sense to someone on a team or an admin: withdrawn when the
# account loses that access (flows/signing/notices.py and flows/understanding/service.py).
STAFF_NOTICE_KINDS = ("signing_request", "signing_escalation", "contract_changed", "red_flag_alert")
# Why the staff buttons stopped working, told once (their old keyboard may still show).
ACCESS_ENDED = N_("您的工作账号已停用，团队的消息不会再发给您。如有疑问，请联系中心管理员。")


class UnknownStaff(LookupError):
    pass


class UnknownInvite(LookupError):
    pass


class NotAnAdmin(LookupError):
    pass


@dataclass(frozen=True)
class Invite:
    code: str
    staff_name: str
    expires_at_local: str
    revoked_older: int = 0


@dataclass(frozen=True)
class InviteLine:
    """One invite as `familydoc admin list-invites` shows it (no code: only its hash is kept)."""

    id: int
    kind: InviteKind
    who: str  # the staff id, or the admin invite's label
    created_local: str
    expires_local: str
    status: str  # open, used, revoked, expired
    used_by_user_id: int | None


@dataclass(frozen=True)
class AdminLine:
    user_id: int
    label: str | None
    joined_local: str


@dataclass(frozen=True)
class Removal:
    staff_name: str
    removed_user_id: int | None  # None: nobody held the post
    open_invites: int


async def sync_centre(
    session: AsyncSession, centre: CentreConfig, clock: Clock | None = None
) -> None:
    """Makes the teams, staff, communities and packages rows match config.yml. Idempotent;
    rows no longer in the file are deactivated, never deleted (contracts point at them), and
    the accounts of staff no longer in it lose staff access."""
    await _sync_teams(session, centre)
    await _drop_removed_staff(session, (clock or SystemClock()).now())
    await _sync_communities(session, centre)
    await _sync_packages(session, centre)
    await session.flush()


async def _sync_teams(session: AsyncSession, centre: CentreConfig) -> None:
    team_ids = [t.id for t in centre.teams]
    staff_ids = [m.id for t in centre.teams for m in t.members]
    for team in centre.teams:
        row = await session.get(Team, team.id) or Team(id=team.id)
        row.name, row.name_en, row.active = team.name, team.name_en, True
        session.add(row)
        await session.flush()
        for member in team.members:
            staff = await session.get(Staff, member.id, options=[selectinload(Staff.clinic_hours)])
            if staff is None:
                staff = Staff(id=member.id, clinic_hours=[])
                session.add(staff)
            staff.team_id, staff.name, staff.role = team.id, member.name, member.role
            staff.title, staff.room, staff.active = member.title, member.room, True
            staff.max_residents = member.max_residents or centre.contract.default_max_residents
            wanted = [
                (WEEKDAYS.index(day), hours.start, hours.end)
                for day, ranges in member.schedule.items()
                for hours in ranges
            ]
            if sorted((h.weekday, h.start, h.end) for h in staff.clinic_hours) != sorted(wanted):
                staff.clinic_hours = [ClinicHours(weekday=d, start=s, end=e) for d, s, e in wanted]
    await session.execute(update(Team).where(Team.id.not_in(team_ids)).values(active=False))
    await session.execute(update(Staff).where(Staff.id.not_in(staff_ids)).values(active=False))


async def _drop_removed_staff(session: AsyncSession, now: datetime) -> None:
    """Accounts of staff no longer in config.yml lose staff access, as with `remove-staff`:
    their role is reset, pending team notices to them are withdrawn, open invites revoked."""
    held = await posts_of_inactive_staff(session)
    await _end_access(session, list(held), now)
    await stored.revoke_open_invites_of_inactive_staff(session, now=now)
    for staff_id in held.values():
        record_audit(session, at=now, actor_user_id=None, action="staff_removed",
                     subject_type="staff", subject_id=staff_id, reason="config")  # fmt: skip


async def _sync_communities(session: AsyncSession, centre: CentreConfig) -> None:
    for community in centre.communities:
        row = await session.get(Community, community.id) or Community(id=community.id)
        row.name, row.name_en, row.team_id = community.name, community.name_en, community.team
        row.active = True
        session.add(row)
    ids = [c.id for c in centre.communities]
    await session.execute(update(Community).where(Community.id.not_in(ids)).values(active=False))


async def _sync_packages(session: AsyncSession, centre: CentreConfig) -> None:
    for package in centre.packages:
        row = await session.get(Package, package.id, options=[selectinload(Package.items)])
        if row is None:
            row = Package(id=package.id, items=[])
            session.add(row)
        row.name, row.name_en, row.active = package.name, package.name_en, True
        row.price_yuan, row.insurance_share = package.price, package.insurance_share
        # Items are updated in place by position: their ids are referenced by service records.
        for position, item in enumerate(package.items):
            existing = next((i for i in row.items if i.position == position), None)
            if existing is None:
                existing = PackageItem(position=position)
                row.items.append(existing)
            existing.name, existing.name_en = item.name, item.name_en
            existing.times, existing.per = item.times, item.per
    ids = [p.id for p in centre.packages]
    await session.execute(update(Package).where(Package.id.not_in(ids)).values(active=False))


async def create_doctor_invite(
    session: AsyncSession, *, staff_id: str, clock: Clock, centre: CentreConfig
) -> Invite:
    """A one-time code for this staff member; any older open invite for them is revoked, so
    only the newest code can ever be used."""
    staff = await session.get(Staff, staff_id)
    if staff is None or not staff.active:
        raise UnknownStaff(f"no active staff member {staff_id!r}; known: {await _known(session)}")
    now = clock.now()
    revoked = await stored.revoke_open_invites(session, staff_id=staff_id, now=now)
    if revoked:
        record_audit(session, at=now, actor_user_id=None, action="invite_revoked",
                     subject_type="staff", subject_id=staff_id, count=revoked,
                     reason="superseded")  # fmt: skip
    code, expires = await _add(session, InviteKind.STAFF, now, centre, staff_id=staff_id)
    record_audit(session, at=now, actor_user_id=None, action="invite_created",
                 subject_type="staff", subject_id=staff_id)  # fmt: skip
    return Invite(code, staff.name, _local(expires, centre), revoked)


async def create_admin_invite(
    session: AsyncSession, *, label: str | None, clock: Clock, centre: CentreConfig
) -> Invite:
    """A one-time code that makes whoever redeems it one of the centre's admins."""
    now = clock.now()
    label = (label or "").strip()[:LABEL_MAX] or None
    code, expires = await _add(session, InviteKind.ADMIN, now, centre, label=label)
    record_audit(session, at=now, actor_user_id=None, action="invite_created",
                 subject_type="admin", subject_id=None)  # fmt: skip
    return Invite(code, label or "an admin", _local(expires, centre))


async def _add(
    session: AsyncSession,
    kind: InviteKind,
    now: datetime,
    centre: CentreConfig,
    *,
    staff_id: str | None = None,
    label: str | None = None,
) -> tuple[str, datetime]:
    prefix = ADMIN_INVITE_PREFIX if kind is InviteKind.ADMIN else INVITE_PREFIX
    code = prefix + secrets.token_urlsafe(18)
    expires = now + timedelta(days=centre.privacy.doctor_invite_days)
    await stored.add_invite(session, code_hash=invite_hash(code), kind=kind, now=now,
                            expires_at=expires, staff_id=staff_id, label=label)  # fmt: skip
    return code, expires


async def invite_lines(
    session: AsyncSession, clock: Clock, centre: CentreConfig
) -> list[InviteLine]:
    now = clock.now()
    return [
        InviteLine(
            id=invite.id,
            kind=invite.kind,
            who=invite.staff_id or invite.label or "",
            created_local=_local(invite.created_at, centre),
            expires_local=_local(invite.expires_at, centre),
            status=_status(invite.used_at, invite.revoked_at, invite.expires_at, now),
            used_by_user_id=invite.used_by_user_id,
        )
        for invite in await stored.all_invites(session)
    ]


def _status(
    used_at: datetime | None, revoked_at: datetime | None, expires_at: datetime, now: datetime
) -> str:
    if used_at is not None:
        return "used"
    if revoked_at is not None:
        return "revoked"
    return "expired" if expires_at <= now else "open"


async def revoke_invites(session: AsyncSession, target: str, clock: Clock) -> int:
    """`target` is an invite number (from list-invites) or a staff id (all their open
    invites). Returns how many were revoked."""
    now = clock.now()
    if target.isdigit():
        if not await stored.revoke_invite(session, int(target), now):
            raise UnknownInvite(f"no open invite number {target}")
        record_audit(session, at=now, actor_user_id=None, action="invite_revoked",
                     subject_type="invite", subject_id=int(target))  # fmt: skip
        return 1
    if await session.get(Staff, target) is None:
        raise UnknownStaff(f"no staff member {target!r}; known: {await _known(session)}")
    count = await stored.revoke_open_invites(session, staff_id=target, now=now)
    if count:
        record_audit(session, at=now, actor_user_id=None, action="invite_revoked",
                     subject_type="staff", subject_id=target, count=count)  # fmt: skip
    return count


async def remove_staff(session: AsyncSession, staff_id: str, clock: Clock) -> Removal:
    """The account holding this staff post loses staff access at once: it is treated as a
    resident from its next update, and team notices still waiting for it are withdrawn.
    The post is free again for a new invite. Open invites are left alone (revoke-invite)."""
    staff = await session.get(Staff, staff_id)
    if staff is None:
        raise UnknownStaff(f"no staff member {staff_id!r}; known: {await _known(session)}")
    now = clock.now()
    holder = await staff_post_holder(session, staff_id)
    if holder is not None:
        await _end_access(session, [holder.id], now)
        record_audit(session, at=now, actor_user_id=None, action="staff_removed",
                     subject_type="staff", subject_id=staff_id, reason="admin")  # fmt: skip
    open_count = await stored.open_invite_count(session, staff_id, now)
    return Removal(staff.name, holder.id if holder else None, open_count)


async def admin_lines(session: AsyncSession, centre: CentreConfig) -> list[AdminLine]:
    labels = await stored.admin_labels(session)
    return [
        AdminLine(user.id, labels.get(user.id), _local(user.created_at, centre))
        for user in await users_with_role(session, Role.ADMIN)
    ]


async def remove_admin(session: AsyncSession, user_id: int, clock: Clock) -> None:
    """The account is no longer an admin, at once; escalations waiting for it are withdrawn."""
    user = await session.get(User, user_id)
    if user is None or user.role is not Role.ADMIN:
        raise NotAnAdmin(f"user {user_id} is not an admin (see list-admins)")
    await _end_access(session, [user_id], clock.now())
    record_audit(session, at=clock.now(), actor_user_id=None, action="admin_removed",
                 subject_type="user", subject_id=user_id)  # fmt: skip


async def _end_access(session: AsyncSession, user_ids: list[int], now: datetime) -> None:
    """Staff (or admin) access ends at once: the role is reset, team notices waiting for
    them are withdrawn, and they are told why their staff buttons stopped working."""
    await revoke_staff_access(session, user_ids, staff_kinds=STAFF_NOTICE_KINDS)
    for user_id in user_ids:
        await schedule_message(session, kind="access_ended", recipient_user_id=user_id,
                               due_at=now, payload={"text": ACCESS_ENDED}, now=now)  # fmt: skip


async def _known(session: AsyncSession) -> str:
    return ", ".join(await session.scalars(select(Staff.id).where(Staff.active)))


def _local(moment: datetime, centre: CentreConfig) -> str:
    return moment.astimezone(centre.zone).strftime("%Y-%m-%d %H:%M")


def invite_hash(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()
