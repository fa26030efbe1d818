"""Centre administration: mirror config.yml into the database, doctor invites."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from flows.centre import WEEKDAYS, CentreConfig
from flows.clock import Clock
from storage.audit import record_audit
from storage.models import ClinicHours, Community, DoctorInvite, Package, PackageItem, Staff, Team

INVITE_PREFIX = "doc_"


class UnknownStaff(LookupError):
    pass


@dataclass(frozen=True)
class Invite:
    code: str
    staff_name: str
    expires_at_local: str


async def sync_centre(session: AsyncSession, centre: CentreConfig) -> None:
    """Makes the teams, staff, communities and packages rows match config.yml. Idempotent;
    rows no longer in the file are deactivated, never deleted (contracts point at them)."""
    await _sync_teams(session, centre)
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
            staff.team_id, staff.name, staff.role = team.id, member.name, member.role.value
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
    staff = await session.get(Staff, staff_id)
    if staff is None or not staff.active:
        known = ", ".join(await session.scalars(select(Staff.id).where(Staff.active)))
        raise UnknownStaff(f"no active staff member {staff_id!r}; known: {known}")
    code = INVITE_PREFIX + secrets.token_urlsafe(18)
    now = clock.now()
    expires = now + timedelta(days=centre.privacy.doctor_invite_days)
    session.add(
        DoctorInvite(
            code_hash=invite_hash(code), staff_id=staff_id, created_at=now, expires_at=expires
        )
    )
    record_audit(
        session,
        at=now,
        actor_user_id=None,
        action="invite_created",
        subject_type="staff",
        subject_id=staff_id,
    )
    local = expires.astimezone(centre.zone).strftime("%Y-%m-%d %H:%M")
    return Invite(code=code, staff_name=staff.name, expires_at_local=local)


def invite_hash(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()
