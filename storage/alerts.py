"""Who can still be reached when a red-flag alert could not be: queries for flows/alerts.py."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Role, Staff, StaffRole, User


async def reachable_team_mates(session: AsyncSession, user_id: int) -> list[int]:
    """Bot accounts of the other active members of this staff user's team who have not
    blocked the bot, the GP first. Empty when the user is not staff."""
    team_id = await session.scalar(
        select(Staff.team_id).join(User, User.staff_id == Staff.id).where(User.id == user_id)
    )
    if team_id is None:
        return []
    rows = await session.scalars(
        select(User.id)
        .join(Staff, Staff.id == User.staff_id)
        .where(
            Staff.team_id == team_id,
            Staff.active,
            User.blocked_bot_at.is_(None),
            User.id != user_id,
        )
        .order_by(Staff.role != StaffRole.GP, Staff.id)  # the GP hears first
    )
    return list(rows)


async def reachable_staff(session: AsyncSession, staff_ids: Iterable[str]) -> list[int]:
    """Bot accounts of these active staff members who have not blocked the bot."""
    wanted = list(staff_ids)
    if not wanted:
        return []
    rows = await session.scalars(
        select(User.id)
        .join(Staff, Staff.id == User.staff_id)
        .where(Staff.id.in_(wanted), Staff.active, User.blocked_bot_at.is_(None))
        .order_by(Staff.id)
    )
    return list(rows)


async def reachable_admins(session: AsyncSession) -> list[int]:
    """The centre's admins who have not blocked the bot."""
    rows = await session.scalars(
        select(User.id)
        .where(User.role == Role.ADMIN, User.blocked_bot_at.is_(None))
        .order_by(User.id)
    )
    return list(rows)
