"""Finding the user behind an update; giving and taking away staff and admin access."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from storage.models import MessageState, Resident, Role, ScheduledMessage, Staff, User
from storage.outbox import reopen_blocked_messages

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
        await reopen_blocked_messages(session, user.id, now)  # what is still of use goes out
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


async def take_staff_post(session: AsyncSession, *, user_id: int, staff_id: str) -> bool:
    """Links the account to the staff post (making it Role.STAFF; the post's StaffRole is
    the staff row's) only if no other account holds it and the account holds no other post
    and is not an admin. One conditional UPDATE: a held post is never
    reassigned. On a race with another account, the unique constraint on users.staff_id
    decides; that is caught here (in a savepoint) and reported as held."""
    holder = aliased(User)
    held_by_other = (
        select(holder.id).where(holder.staff_id == staff_id, holder.id != user_id).exists()
    )
    try:
        async with session.begin_nested():
            result = await session.execute(
                update(User)
                .where(
                    User.id == user_id,
                    or_(User.staff_id.is_(None), User.staff_id == staff_id),
                    User.role != Role.ADMIN,
                    ~held_by_other,
                )
                .values(staff_id=staff_id, role=Role.STAFF)
                .execution_options(synchronize_session=False)
            )
    except IntegrityError:
        return False
    return _rowcount(result) == 1


async def staff_post_holder(session: AsyncSession, staff_id: str) -> User | None:
    return await session.scalar(select(User).where(User.staff_id == staff_id))


async def posts_of_inactive_staff(session: AsyncSession) -> dict[int, str]:
    """user id → staff id, for accounts still linked to staff no longer in config.yml."""
    rows = await session.execute(
        select(User.id, User.staff_id)
        .join(Staff, Staff.id == User.staff_id)
        .where(Staff.active.is_(False))
    )
    return {user_id: staff_id for user_id, staff_id in rows}


async def make_admin(session: AsyncSession, user_id: int) -> bool:
    """Makes the account an admin unless it holds a staff post (one role per account)."""
    result = await session.execute(
        update(User)
        .where(User.id == user_id, User.staff_id.is_(None))
        .values(role=Role.ADMIN)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


async def revoke_staff_access(
    session: AsyncSession, user_ids: Collection[int], *, staff_kinds: Collection[str]
) -> None:
    """These accounts become plain residents at once (the next update sees the row), and
    notices of staff kinds still waiting for them are withdrawn."""
    if not user_ids:
        return
    await session.execute(
        update(User)
        .where(User.id.in_(list(user_ids)))
        .values(role=Role.RESIDENT, staff_id=None)
        .execution_options(synchronize_session="fetch")
    )
    await session.execute(
        update(ScheduledMessage)
        .where(
            ScheduledMessage.recipient_user_id.in_(list(user_ids)),
            ScheduledMessage.kind.in_(list(staff_kinds)),
            ScheduledMessage.state == MessageState.PENDING,
        )
        .values(state=MessageState.CANCELLED)
        .execution_options(synchronize_session=False)
    )


def _rowcount(result: object) -> int:
    assert isinstance(result, CursorResult)
    return result.rowcount
