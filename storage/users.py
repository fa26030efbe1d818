"""Finding the user behind an update."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from storage.models import Resident, Role, User

# last_seen_at is advisory; writing it on every update would make each update a write.
_SEEN_GRANULARITY = timedelta(minutes=5)


async def load_or_create_user(session: AsyncSession, telegram_id: int, now: datetime) -> User:
    user = await find_user(session, telegram_id)
    if user is None:
        user = User(telegram_id=telegram_id, role=Role.RESIDENT, created_at=now, last_seen_at=now)
        session.add(user)
        try:
            await session.flush()
        except IntegrityError:  # the same person's two first updates at once
            await session.rollback()
            user = await find_user(session, telegram_id)
            assert user is not None
            return user
        # A new user has no resident yet: say so, as find_user's joined load would, so reading
        # user.resident later never tries a lazy load (which fails under asyncio).
        set_committed_value(user, "resident", None)
        return user
    if now - user.last_seen_at > _SEEN_GRANULARITY:
        user.last_seen_at = now
    if user.blocked_bot_at is not None:
        user.blocked_bot_at = None  # they are talking to us again
    return user


async def find_user(session: AsyncSession, telegram_id: int) -> User | None:
    return await session.scalar(
        select(User)
        .where(User.telegram_id == telegram_id)
        # One joined query for user, resident and household (their conditions and tags
        # follow by selectin): this runs on every update.
        .options(joinedload(User.resident).joinedload(Resident.household))
    )


async def users_with_role(session: AsyncSession, role: Role) -> Sequence[User]:
    return (await session.scalars(select(User).where(User.role == role).order_by(User.id))).all()
