"""The outbox of messages due later (reminders, notices, alerts): scheduling and claiming.

Claiming is atomic: on PostgreSQL with FOR UPDATE SKIP LOCKED, on SQLite by the database-wide
write lock. A claim has a lease; rows whose sender died are claimed again when it runs out."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import MessageState, Priority, ScheduledMessage

CLAIM_LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 5
_URGENCY = case(
    (ScheduledMessage.priority == Priority.RED_FLAG, 0),
    (ScheduledMessage.priority == Priority.URGENT, 1),
    else_=2,
)


async def schedule_message(
    session: AsyncSession,
    *,
    kind: str,
    recipient_user_id: int,
    due_at: datetime,
    payload: dict[str, Any],
    now: datetime,
    priority: Priority = Priority.NORMAL,
    dedupe_key: str | None = None,
) -> ScheduledMessage | None:
    """Adds a message; returns None when one with the same dedupe_key already exists."""
    message = ScheduledMessage(
        kind=kind,
        recipient_user_id=recipient_user_id,
        due_at=due_at,
        payload=payload,
        priority=priority,
        dedupe_key=dedupe_key,
        state=MessageState.PENDING,
        attempts=0,
        created_at=now,
    )
    if dedupe_key is None:
        session.add(message)
        await session.flush()
        return message
    async with session.begin_nested():
        session.add(message)
        try:
            await session.flush()
        except IntegrityError:
            return None
    return message


async def claim_due_messages(
    session: AsyncSession, *, now: datetime, worker: str, limit: int = 50
) -> list[ScheduledMessage]:
    """Marks up to `limit` due messages as claimed by `worker` and returns them (urgent first)."""
    claimable = or_(
        ScheduledMessage.state == MessageState.PENDING,
        (ScheduledMessage.state == MessageState.CLAIMED) & (ScheduledMessage.claimed_until < now),
    )
    query = (
        select(ScheduledMessage.id)
        .where(claimable, ScheduledMessage.due_at <= now)
        .order_by(_URGENCY, ScheduledMessage.due_at)
        .limit(limit)
    )
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(await session.scalars(query))
    if not ids:
        return []
    await session.execute(
        update(ScheduledMessage)
        .where(ScheduledMessage.id.in_(ids), claimable)
        .values(state=MessageState.CLAIMED, claimed_by=worker, claimed_until=now + CLAIM_LEASE)
        .execution_options(synchronize_session=False)
    )
    claimed = await session.scalars(
        select(ScheduledMessage)
        .where(ScheduledMessage.id.in_(ids), ScheduledMessage.claimed_by == worker)
        .execution_options(populate_existing=True)
    )
    rank = {message_id: position for position, message_id in enumerate(ids)}
    result = sorted(claimed, key=lambda m: rank[m.id])  # urgent first, as selected
    await session.commit()
    return result


async def mark_sent(session: AsyncSession, message_id: int, now: datetime) -> None:
    await session.execute(
        update(ScheduledMessage)
        .where(ScheduledMessage.id == message_id)
        .values(state=MessageState.SENT, sent_at=now, claimed_until=None)
    )


async def mark_failed(
    session: AsyncSession, message_id: int, *, error: str, retry_at: datetime | None
) -> None:
    """Gives the message back for a later try, or fails it for good when retry_at is None."""
    message = await session.get(ScheduledMessage, message_id)
    if message is None:
        return
    message.attempts += 1
    message.last_error = error[:200]
    message.claimed_by = None
    message.claimed_until = None
    if retry_at is None or message.attempts >= MAX_ATTEMPTS:
        message.state = MessageState.FAILED
    else:
        message.state = MessageState.PENDING
        message.due_at = retry_at


async def postpone(session: AsyncSession, message_id: int, *, until: datetime) -> None:
    """Gives a claimed message back, due again at `until` (quiet hours), with no attempt used."""
    await session.execute(
        update(ScheduledMessage)
        .where(ScheduledMessage.id == message_id)
        .values(state=MessageState.PENDING, due_at=until, claimed_by=None, claimed_until=None)
    )
