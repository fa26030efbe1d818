"""The outbox: due messages are claimed once, urgent first, even by competing workers."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from storage.database import Database
from storage.models import MessageState, Priority, ScheduledMessage, User
from storage.outbox import CLAIM_LEASE, claim_due_messages, schedule_message

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
