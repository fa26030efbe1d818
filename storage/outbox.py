"""The outbox of messages due later (reminders, notices, alerts): scheduling and claiming.

Claiming is atomic: on PostgreSQL with FOR UPDATE SKIP LOCKED, on SQLite by the database-wide
write lock. A claim has a lease; rows whose sender died are claimed again when it runs out.
Each claim writes a fresh random token (a fencing token) to its rows, and every later change
of a claimed row names it: a sender whose lease ran out, and whose row someone else claimed
since, changes nothing (it cannot mark a message sent twice, or reopen one that was sent)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import MessageState, Priority, ScheduledMessage

CLAIM_LEASE = timedelta(minutes=5)
# last_error of a message that failed because the person blocked the bot (resent if they return)
BOT_BLOCKED = "bot blocked"
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
    session: AsyncSession,
    *,
    now: datetime,
    worker: str,
    limit: int = 50,
    lease: timedelta = CLAIM_LEASE,
) -> list[ScheduledMessage]:
    """Claims up to `limit` due messages for `worker` until now + lease and returns them
    (urgent first); each carries the claim's token, to be named by every later change."""
    claimable = or_(
        ScheduledMessage.state == MessageState.PENDING,
        (ScheduledMessage.state == MessageState.CLAIMED) & (ScheduledMessage.claimed_until < now),
    )
    query = (
        select(ScheduledMessage.id)
        .where(claimable, ScheduledMessage.due_at <= now)
        .order_by(_URGENCY, ScheduledMessage.due_at, ScheduledMessage.id)
        .limit(limit)
    )
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(await session.scalars(query))
    if not ids:
        await session.commit()
        return []
    token = uuid.uuid4().hex
    await session.execute(
        update(ScheduledMessage)
        .where(ScheduledMessage.id.in_(ids), claimable)
        .values(
            state=MessageState.CLAIMED,
            claimed_by=worker[:64],
            claimed_until=now + lease,
            claim_token=token,
        )
        .execution_options(synchronize_session=False)
    )
    claimed = await session.scalars(
        select(ScheduledMessage)
        .where(ScheduledMessage.id.in_(ids), ScheduledMessage.claim_token == token)
        .execution_options(populate_existing=True)
    )
    rank = {message_id: position for position, message_id in enumerate(ids)}
    result = sorted(claimed, key=lambda m: rank[m.id])  # urgent first, as selected
    await session.commit()
    return result


def _held(message_id: int, token: str) -> ColumnElement[bool]:
    """The row is still claimed under this token (nobody took it over since)."""
    return (
        (ScheduledMessage.id == message_id)
        & (ScheduledMessage.claim_token == token)
        & (ScheduledMessage.state == MessageState.CLAIMED)
    )


async def _update_held(session: AsyncSession, message_id: int, token: str, **values: Any) -> bool:
    result = await session.execute(
        update(ScheduledMessage)
        .where(_held(message_id, token))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


_RELEASED: dict[str, Any] = {"claimed_by": None, "claimed_until": None, "claim_token": None}


async def renew_claim(
    session: AsyncSession, message_id: int, token: str, *, until: datetime
) -> bool:
    """Extends the lease before a send; False when the claim was lost (do not send)."""
    return await _update_held(session, message_id, token, claimed_until=until)


async def mark_sent(session: AsyncSession, message_id: int, token: str, now: datetime) -> bool:
    """Records the send; False when the claim was no longer ours."""
    return await _update_held(
        session, message_id, token, state=MessageState.SENT, sent_at=now, **_RELEASED
    )


async def retry_later(
    session: AsyncSession,
    message_id: int,
    token: str,
    *,
    error: str,
    at: datetime,
    count_attempt: bool = True,
) -> bool:
    """Gives the message back, due again at `at`, keeping the error. False when not ours."""
    attempts = ScheduledMessage.attempts + (1 if count_attempt else 0)
    return await _update_held(
        session, message_id, token, state=MessageState.PENDING, due_at=at, attempts=attempts,
        last_error=error[:200], **_RELEASED,
    )  # fmt: skip


async def mark_failed(
    session: AsyncSession,
    message_id: int,
    token: str,
    *,
    error: str,
    resend_until: datetime | None = None,
) -> bool:
    """Gives the message up for good, keeping the error (`resend_until`: see
    reopen_blocked_messages). False when the claim was no longer ours."""
    return await _update_held(
        session, message_id, token, state=MessageState.FAILED,
        attempts=ScheduledMessage.attempts + 1, last_error=error[:200],
        resend_until=resend_until, **_RELEASED,
    )  # fmt: skip


async def postpone(session: AsyncSession, message_id: int, token: str, *, until: datetime) -> bool:
    """Gives a claimed message back, due again at `until` (quiet hours), with no attempt used."""
    return await _update_held(
        session, message_id, token, state=MessageState.PENDING, due_at=until, **_RELEASED
    )


async def reopen_blocked_messages(session: AsyncSession, user_id: int, now: datetime) -> int:
    """The person unblocked the bot: messages that failed only because of the block, and are
    still worth sending (resend_until not passed), are due again now. Returns how many."""
    result = await session.execute(
        update(ScheduledMessage)
        .where(
            ScheduledMessage.recipient_user_id == user_id,
            ScheduledMessage.state == MessageState.FAILED,
            ScheduledMessage.last_error == BOT_BLOCKED,
            ScheduledMessage.resend_until >= now,
        )
        .values(state=MessageState.PENDING, due_at=now, resend_until=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def note_dedupe_key(session: AsyncSession, message_id: int, key: str) -> None:
    """Gives a message that has no dedupe key this one (so a later message with the same key
    counts as a duplicate of it); nothing happens when the key is taken already."""
    try:
        async with session.begin_nested():
            await session.execute(
                update(ScheduledMessage)
                .where(ScheduledMessage.id == message_id, ScheduledMessage.dedupe_key.is_(None))
                .values(dedupe_key=key)
                .execution_options(synchronize_session=False)
            )
    except IntegrityError:
        pass  # another message holds the key: the same thing is on its way already
