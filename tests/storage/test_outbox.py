"""The outbox: due messages are claimed once, urgent first, even by competing workers; a claim
is fenced by its token, so a sender that lost it changes nothing; a person who comes back after
blocking the bot gets what the block stopped, while it is still of use."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from storage.database import Database
from storage.models import MessageState, Priority, ScheduledMessage, User
from storage.outbox import (
    BOT_BLOCKED,
    CLAIM_LEASE,
    claim_due_messages,
    mark_failed,
    mark_sent,
    postpone,
    renew_claim,
    retry_later,
    schedule_message,
)
from storage.users import load_or_create_user

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


async def _user(db: Database) -> int:
    async with db.sessionmaker() as session:
        user = User(telegram_id=9001, created_at=NOW, last_seen_at=NOW)
        session.add(user)
        await session.commit()
        return user.id


async def _schedule(db: Database, user_id: int, count: int, **kwargs: object) -> None:
    async with db.sessionmaker() as session:
        for i in range(count):
            await schedule_message(
                session, kind="test", recipient_user_id=user_id, payload={"text": f"#{i}"},
                now=NOW, due_at=kwargs.get("due_at", NOW - timedelta(minutes=i)),  # type: ignore[arg-type]
                priority=kwargs.get("priority", Priority.NORMAL),  # type: ignore[arg-type]
            )  # fmt: skip
        await session.commit()


async def test_same_dedupe_key_is_one_message(any_db: Database) -> None:
    user_id = await _user(any_db)
    async with any_db.sessionmaker() as session:
        args = {"kind": "renewal_notice", "recipient_user_id": user_id, "payload": {},
                "now": NOW, "due_at": NOW, "dedupe_key": "renewal:7:30d"}  # fmt: skip
        first = await schedule_message(session, **args)  # type: ignore[arg-type]
        second = await schedule_message(session, **args)  # type: ignore[arg-type]
        await session.commit()
    assert first is not None and second is None


async def test_competing_workers_never_claim_the_same_message(any_db: Database) -> None:
    user_id = await _user(any_db)
    await _schedule(any_db, user_id, 40)

    async def worker(name: str) -> list[int]:
        claimed: list[int] = []
        while True:
            async with any_db.sessionmaker() as session:
                batch = await claim_due_messages(session, now=NOW, worker=name, limit=3)
            if not batch:
                return claimed
            claimed.extend(m.id for m in batch)

    a, b, c = await asyncio.gather(worker("a"), worker("b"), worker("c"))
    assert sorted(a + b + c) == list(range(1, 41))
    assert not (set(a) & set(b) or set(b) & set(c) or set(a) & set(c))


async def test_future_messages_wait_and_red_flags_go_first(any_db: Database) -> None:
    user_id = await _user(any_db)
    await _schedule(any_db, user_id, 2)
    await _schedule(any_db, user_id, 1, priority=Priority.RED_FLAG, due_at=NOW)
    await _schedule(any_db, user_id, 1, due_at=NOW + timedelta(hours=1))
    async with any_db.sessionmaker() as session:
        batch = await claim_due_messages(session, now=NOW, worker="w")
    assert [m.priority for m in batch] == [Priority.RED_FLAG, Priority.NORMAL, Priority.NORMAL]


async def test_a_dead_workers_claims_are_taken_over_after_the_lease(any_db: Database) -> None:
    user_id = await _user(any_db)
    await _schedule(any_db, user_id, 1)
    async with any_db.sessionmaker() as session:
        assert len(await claim_due_messages(session, now=NOW, worker="dead")) == 1
    async with any_db.sessionmaker() as session:
        assert await claim_due_messages(session, now=NOW + timedelta(minutes=1), worker="w") == []
    later = NOW + CLAIM_LEASE + timedelta(seconds=1)
    async with any_db.sessionmaker() as session:
        batch = await claim_due_messages(session, now=later, worker="w")
        assert [m.claimed_by for m in batch] == ["w"]
        row = await session.get(ScheduledMessage, batch[0].id)
        assert row is not None and row.state is MessageState.CLAIMED


async def _claim(db: Database, at: datetime, worker: str) -> list[ScheduledMessage]:
    async with db.sessionmaker() as session:
        return await claim_due_messages(session, now=at, worker=worker)


async def _state(db: Database, message_id: int) -> ScheduledMessage:
    async with db.sessionmaker() as session:
        row = await session.get(ScheduledMessage, message_id)
        assert row is not None
        return row


async def test_a_sender_whose_claim_was_taken_over_changes_nothing(any_db: Database) -> None:
    user_id = await _user(any_db)
    await _schedule(any_db, user_id, 1)
    [late] = await _claim(any_db, NOW, "slow")
    later = NOW + CLAIM_LEASE + timedelta(seconds=1)
    [fresh] = await _claim(any_db, later, "quick")
    assert fresh.id == late.id and fresh.claim_token != late.claim_token
    async with any_db.sessionmaker() as session:
        assert await mark_sent(session, fresh.id, fresh.claim_token or "", later)
        await session.commit()

    stale = late.claim_token or ""
    async with any_db.sessionmaker() as session:  # the slow sender wakes up, too late
        assert not await mark_failed(session, late.id, stale, error="TelegramServerError")
        assert not await retry_later(session, late.id, stale, error="x", at=later)
        assert not await postpone(session, late.id, stale, until=later)
        assert not await renew_claim(session, late.id, stale, until=later)
        assert not await mark_sent(session, late.id, stale, later + timedelta(minutes=1))
        await session.commit()
    row = await _state(any_db, late.id)
    assert row.state is MessageState.SENT and row.sent_at == later and row.attempts == 0


async def test_a_renewed_claim_keeps_other_senders_out(any_db: Database) -> None:
    user_id = await _user(any_db)
    await _schedule(any_db, user_id, 1)
    [mine] = await _claim(any_db, NOW, "a")
    renewed_at = NOW + CLAIM_LEASE - timedelta(seconds=5)
    async with any_db.sessionmaker() as session:
        assert await renew_claim(session, mine.id, mine.claim_token or "",
                                 until=renewed_at + CLAIM_LEASE)  # fmt: skip
        await session.commit()
    assert await _claim(any_db, NOW + CLAIM_LEASE + timedelta(seconds=1), "b") == []


async def test_workers_with_the_same_name_never_share_rows(any_db: Database) -> None:
    """Two claims racing under one worker name (hostname:id repeats across processes): each
    returns only the rows its own claim took (on SQLite the loser may get none)."""
    user_id = await _user(any_db)
    await _schedule(any_db, user_id, 4)

    async def claim_two() -> list[ScheduledMessage]:
        async with any_db.sessionmaker() as session:
            return await claim_due_messages(session, now=NOW, worker="host:1", limit=2)

    first, second = await asyncio.gather(claim_two(), claim_two())
    assert first or second
    assert not {m.id for m in first} & {m.id for m in second}
    for batch in (first, second):
        for message in batch:
            assert (await _state(any_db, message.id)).claim_token == message.claim_token


async def test_a_failed_try_counts_and_keeps_its_error(any_db: Database) -> None:
    user_id = await _user(any_db)
    await _schedule(any_db, user_id, 1)
    [message] = await _claim(any_db, NOW, "w")
    again = NOW + timedelta(seconds=30)
    async with any_db.sessionmaker() as session:
        assert await retry_later(session, message.id, message.claim_token or "",
                                 error="TelegramServerError: Bad Gateway", at=again)  # fmt: skip
        await session.commit()
    row = await _state(any_db, message.id)
    assert (row.state, row.attempts, row.due_at) == (MessageState.PENDING, 1, again)
    assert row.last_error == "TelegramServerError: Bad Gateway" and row.claim_token is None
    [message] = await _claim(any_db, again, "w")
    async with any_db.sessionmaker() as session:
        assert await mark_failed(session, message.id, message.claim_token or "", error="gone")
        await session.commit()
    row = await _state(any_db, message.id)
    assert (row.state, row.attempts, row.last_error) == (MessageState.FAILED, 2, "gone")


async def test_coming_back_reopens_only_what_the_block_stopped_and_is_still_of_use(
    any_db: Database,
) -> None:
    user_id = await _user(any_db)
    await _schedule(any_db, user_id, 3)
    claimed = await _claim(any_db, NOW, "w")
    errors = [
        (BOT_BLOCKED, NOW + timedelta(hours=1)),  # still of use when they come back
        (BOT_BLOCKED, NOW - timedelta(minutes=1)),  # no longer of use
        ("TelegramBadRequest: message is too long", None),
    ]  # not the block's doing
    async with any_db.sessionmaker() as session:
        for message, (error, until) in zip(claimed, errors, strict=True):
            await mark_failed(session, message.id, message.claim_token or "", error=error,
                              resend_until=until)  # fmt: skip
        user = await session.get(User, user_id)
        assert user is not None
        user.blocked_bot_at = NOW - timedelta(hours=1)
        await session.commit()
    async with any_db.sessionmaker() as session:
        await load_or_create_user(session, 9001, NOW)
        await session.commit()
    states = [(await _state(any_db, m.id)).state for m in claimed]
    assert states == [MessageState.PENDING, MessageState.FAILED, MessageState.FAILED]
    assert (await _state(any_db, claimed[0].id)).due_at == NOW
